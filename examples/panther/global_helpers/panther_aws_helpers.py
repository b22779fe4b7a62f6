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
