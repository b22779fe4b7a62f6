from panther_aws_helpers import call_succeeded, cloudtrail_context

# Calls that switch AWS Config recording or delivery off
STOP_CALLS = {"StopConfigurationRecorder", "DeleteDeliveryChannel", "DeleteConfigurationRecorder"}


def rule(event):
    if not call_succeeded(event):
        return False
    return event.get("eventName") in STOP_CALLS and event.udm("actor_user") != "automation"


def alert_context(event):
    return cloudtrail_context(event)
