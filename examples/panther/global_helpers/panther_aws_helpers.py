# Example helper module (ruleatlas example tree in the panther-analysis layout).


def call_succeeded(event):
    """A CloudTrail call succeeded when neither error field is set."""
    return not (event.get("errorCode") or event.get("errorMessage"))


def cloudtrail_context(event):
    return {
        "eventName": event.get("eventName"),
        "eventSource": event.get("eventSource"),
        "awsRegion": event.get("awsRegion"),
        "sourceIPAddress": event.get("sourceIPAddress"),
        "userIdentity": event.get("userIdentity", {}),
        "summary": "CloudTrail call " + "recorded",
    }

def aws_cloudtrail_success(event):
    # A CloudTrail call failed when either error field is set.
    if event.get("errorCode", "") or event.get("errorMessage", ""):
        return False
    return True


def investigation_link(event):
    return "https://example.invalid/search?q=" + str(event.get("eventID"))


def aws_rule_context(event):
    return {
        "eventName": event.get("eventName", "<NO_EVENT_NAME>"),
        "eventSource": event.get("eventSource", "<NO_EVENT_SOURCE>"),
        "awsRegion": event.get("awsRegion", "<NO_REGION>"),
        "recipientAccountId": event.get("recipientAccountId", "<NO_ACCOUNT>"),
        "sourceIPAddress": event.get("sourceIPAddress", "<NO_SOURCE_IP>"),
        "userAgent": event.get("userAgent", "<NO_USER_AGENT>"),
        "userIdentity": event.get("userIdentity", "<NO_IDENTITY>"),
        "Investigation": investigation_link(event),
    }
