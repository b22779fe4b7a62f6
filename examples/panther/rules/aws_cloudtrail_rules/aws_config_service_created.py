from panther_aws_helpers import aws_cloudtrail_success, aws_rule_context

# Config API calls that switch recording or delivery on
CONFIG_CREATE_CALLS = {
    "PutDeliveryChannel",
    "PutConfigurationRecorder",
    "StartConfigurationRecorder",
}


def rule(event):
    return aws_cloudtrail_success(event) and event.get("eventName") in CONFIG_CREATE_CALLS


def title(event):
    return f"Config change {event.get('eventName')}"


def alert_context(event):
    return aws_rule_context(event)
