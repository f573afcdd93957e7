"""What the connector page tells an administrator to do in each desk: where to paste the
URL and the secret, which events to select, and the body or script to paste."""

from .desks.glpi import FOLLOWUP_TEMPLATE, TICKET_TEMPLATE
from .desks.template import TEMPLATES, TOKEN_HEADER

SERVICENOW_SCRIPT = r"""// Business rule on Incident: When = after, Insert + Update, Advanced.
// System Properties: x_accord.url (the connector URL), x_accord.secret (its secret).
(function executeRule(current, previous /*null when async*/) {
    var FIELDS = ['state', 'priority', 'impact', 'urgency', 'assignment_group',
                  'assigned_to', 'business_service', 'company'];
    var body = {
        table: current.getTableName(), sys_id: current.getUniqueValue(),
        number: current.getValue('number'),
        operation: current.operation(),                  // "insert" or "update"
        sys_mod_count: parseInt(current.getValue('sys_mod_count'), 10),
        sys_updated_on: current.getValue('sys_updated_on'),  // UTC "yyyy-MM-dd HH:mm:ss"
        changes: {}, current: {}
    };
    FIELDS.forEach(function (f) {
        body.current[f] = current.getDisplayValue(f);
        if (previous && current[f].changes())
            body.changes[f] = {previous: previous.getDisplayValue(f),
                               current: current.getDisplayValue(f)};
    });
    if (current.comments.changes()) body.comment = {public: true,
        author: gs.getUserName()};
    else if (current.work_notes.changes()) body.comment = {public: false,
        author: gs.getUserName()};
    var text = JSON.stringify(body);
    var ts = String(Math.floor(new GlideDateTime().getNumericValue() / 1000));
    var key = GlideStringUtil.base64Encode(gs.getProperty('x_accord.secret'));
    var mac = new GlideCertificateEncryption().generateMac(key, 'HmacSHA256',
                                                           ts + '.' + text);
    var r = new sn_ws.RESTMessageV2();
    r.setEndpoint(gs.getProperty('x_accord.url'));
    r.setHttpMethod('post');
    r.setRequestHeader('Content-Type', 'application/json');
    r.setRequestHeader('X-Accord-Timestamp', ts);
    r.setRequestHeader('X-Accord-Signature', mac);    // base64 is accepted, as is hex
    r.setRequestBody(text);
    r.executeAsync();
})(current, previous);
"""

SETUP = {
    "jira": {
        "where": "Jira settings → System → WebHooks → Create a WebHook (Jira administrators).",
        "steps": ["URL: paste the connector URL.",
                  "Secret: paste the connector secret (Jira signs each call with it: "
                  "X-Hub-Signature sha256).",
                  "JQL: optionally restrict to the service desk project (project = SUP)."],
        "events": ["Issue: created", "Issue: updated", "Comment: created"],
        "pull": "For backfill: set the base URL (https://<site>.atlassian.net), credentials "
                "{\"email\": ..., \"api_token\": ...}, then run accord sync NAME --since DATE.",
    },
    "zendesk": {
        "where": "Admin Center → Apps and integrations → Webhooks → Create webhook → "
                 "Zendesk events.",
        "steps": ["Endpoint URL: paste the connector URL; request method POST, format JSON.",
                  "After creating it, reveal the webhook's signing secret in Zendesk and "
                  "set it as this connector's secret (Zendesk generates it).",
                  "Map Zendesk group ids to Accord teams in the mapping's \"groups\"."],
        "events": ["Ticket created", "Status changed", "Priority changed",
                   "Group assignment changed", "Agent assignment changed", "Comment added"],
        "pull": "For backfill: base URL https://<subdomain>.zendesk.com, credentials "
                "{\"email\": \"you@example.com/token\", \"api_token\": ...}.",
    },
    "zammad": {
        "where": "Manage → Webhook → New Webhook; then Manage → Trigger → New Trigger.",
        "steps": ["Endpoint: paste the connector URL. HMAC SHA1 Signature Token: paste the "
                  "connector secret. Keep the default payload.",
                  "Trigger: conditions \"Action is created\" or \"Action is updated\"; "
                  "Execute: Webhook (the one above)."],
        "events": ["Ticket created", "Ticket updated (state, priority, group)",
                   "Article created"],
        "pull": "For backfill: base URL https://<your zammad>, credentials "
                "{\"token\": ...} (an access token with ticket.agent).",
    },
    "servicenow": {
        "where": "System Definition → Business Rules → New (table Incident), and two "
                 "system properties; see docs/connectors/servicenow.md.",
        "steps": ["Create the system properties x_accord.url (the connector URL) and "
                  "x_accord.secret (the connector secret, private).",
                  "Create the business rule below: after insert and update, Advanced."],
        "events": ["Incident inserted", "Incident updated (state, priority, assignment "
                   "group, comments and work notes)"],
        "script": SERVICENOW_SCRIPT,
        "pull": "For backfill: base URL https://<instance>.service-now.com, credentials "
                "{\"username\": ..., \"password\": ...} of a user who may read sys_audit.",
    },
    "glpi": {
        "where": "Setup → Webhooks → Add (GLPI 11): two webhooks, one for itemtype Ticket "
                 "(events New and Update), one for itemtype Followup (event New).",
        "steps": ["URL: paste the connector URL; HTTP method POST.",
                  "Security tab: set the webhook's secret to the connector secret (GLPI "
                  "signs each call with it: X-GLPI-signature, X-GLPI-timestamp).",
                  "Payload editor: untick the default payload and paste the ticket body "
                  "below in the Ticket webhook, the followup body in the Followup webhook.",
                  "Status and priority travel as GLPI's numbers (the mapping's \"values\" "
                  "name them); one assigned group per ticket is read as its team.",
                  "Set the mapping's \"timezone\" to the GLPI time zone of the API user "
                  "(GLPI's history and API give local times)."],
        "events": ["Ticket: New", "Ticket: Update", "Followup: New"],
        "template": TICKET_TEMPLATE,
        "followup_template": FOLLOWUP_TEMPLATE,
        "pull": "For backfill: base URL https://<your glpi>/apirest.php, credentials "
                "{\"user_token\": ..., \"app_token\": ...} (the API user's remote access "
                "key; app_token only if the API client requires one). Reads search/Ticket, "
                "Ticket/{id}/Log and Ticket/{id}/ITILFollowup.",
    },
    "freshservice": {
        "where": "Admin → Workflow Automator → New Automator (Ticket) → action Trigger "
                 "Webhook.",
        "steps": ["Request type POST, callback URL: the connector URL, encoding JSON.",
                  f"Custom headers: {TOKEN_HEADER}: the connector secret.",
                  "Content: advanced, paste the body below (\"event\": \"created\" for "
                  "the ticket-raised automator, \"updated\" for updates, \"comment\" for "
                  "notes)."],
        "events": ["Ticket is raised", "Ticket is updated", "Note is added"],
        "template": TEMPLATES["freshservice"],
        "pull": "",
    },
    "generic": {
        "where": "Your own integration.",
        "steps": ["POST one normalized event or a list to the connector URL.",
                  "Sign as Accord signs its webhooks: X-Accord-Timestamp (Unix seconds) "
                  "and X-Accord-Signature = hex HMAC-SHA256 of \"timestamp.body\" with "
                  "the secret; timestamps older than 5 minutes are refused."],
        "events": ["created, updated, status_changed, commented, responded, resolved, "
                   "closed, reopened"],
        "pull": "",
    },
}
