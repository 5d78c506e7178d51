//! The pure half of `sqs:sendMessage`, `sns:publish` and `events:putEvents` on the buses:
//! which mapping a task's input names, the messages it publishes, and the answer in the
//! shape AWS's optimized integration gives (`MessageId`, `MD5OfMessageBody`,
//! `SequenceNumber`, `Entries`, `FailedEntryCount`).

use super::ids::uuid;
use super::mapping::{Destination, Mappings};
use serde_json::{json, Map, Value};
use stepline_core::engine::{TaskAnswer, TaskEnvelope};

pub const SQS_SEND: &str = "sqs:sendMessage";
pub const SNS_PUBLISH: &str = "sns:publish";
pub const EVENTS_PUT: &str = "events:putEvents";

/// One message to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub destination: Destination,
    /// The routing key when the destination leaves it to the message.
    pub routing_key: String,
    pub body: Vec<u8>,
    pub content_type: Option<&'static str>,
    pub headers: Vec<(String, Value)>,
}

/// What a task comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Its destination is not mapped: a worker of the activity takes it.
    Unmapped,
    /// Refused before anything was published.
    Refused(TaskAnswer),
    /// Publish these, then answer `answer` (none for `.waitForTaskToken`, whose callback
    /// answers).
    Publish { messages: Vec<Message>, answer: TaskAnswer },
}

/// Plans the task of `activity` (one of the three above).
pub fn plan(m: &Mappings, task: &TaskEnvelope, now_ms: i64) -> Plan {
    match task.activity.as_str() {
        SQS_SEND => sqs(m, &task.input),
        SNS_PUBLISH => sns(m, &task.input),
        EVENTS_PUT => events(m, task, now_ms),
        _ => Plan::Unmapped,
    }
}

/// Whether the task's destination is mapped, without building its messages: the test
/// every messaging task meets before it is published or handed to a worker.
pub fn mapped(m: &Mappings, task: &TaskEnvelope) -> bool {
    let text = |k: &str| task.input.get(k).and_then(Value::as_str);
    match task.activity.as_str() {
        SQS_SEND => text("QueueUrl").is_some_and(|q| m.sqs.contains_key(q)),
        SNS_PUBLISH => text("TopicArn").or(text("TargetArn")).is_some_and(|t| m.sns.contains_key(t)),
        EVENTS_PUT => task.input.get("Entries").and_then(Value::as_array).is_some_and(|entries| {
            entries
                .iter()
                .any(|e| m.event_bus(e.get("EventBusName").and_then(Value::as_str).unwrap_or("default")).is_some())
        }),
        _ => false,
    }
}

/// A message body as the AWS integrations send it: a string as it is, anything else as
/// its JSON text.
fn text_of(v: &Value) -> (Vec<u8>, Option<&'static str>) {
    match v {
        Value::String(s) => (s.clone().into_bytes(), Some("text/plain")),
        other => (other.to_string().into_bytes(), Some("application/json")),
    }
}

/// `MessageAttributes` (`{Name: {DataType, StringValue}}`) as headers.
fn attributes(input: &Value, headers: &mut Vec<(String, Value)>) {
    if let Some(Value::Object(a)) = input.get("MessageAttributes") {
        for (k, v) in a {
            let value =
                v.get("StringValue").cloned().unwrap_or_else(|| v.get("BinaryValue").cloned().unwrap_or(Value::Null));
            headers.push((k.clone(), value));
        }
    }
}

fn sdk_metadata(out: &mut Value) {
    out["SdkHttpMetadata"] = json!({"HttpStatusCode": 200});
    out["SdkResponseMetadata"] = json!({"RequestId": uuid()});
}

fn sqs(m: &Mappings, input: &Value) -> Plan {
    let Some(dest) = input.get("QueueUrl").and_then(Value::as_str).and_then(|q| m.sqs.get(q)) else {
        return Plan::Unmapped;
    };
    let Some(body) = input.get("MessageBody").filter(|b| !b.is_null()) else {
        return Plan::Refused(TaskAnswer::Failure {
            error: "SQS.AmazonSQSException".into(),
            cause: format!(
                "The request must contain the parameter MessageBody. (Service: AmazonSQS; Status Code: 400; Error Code: MissingParameter; Request ID: {}; Proxy: null)",
                uuid()
            ),
        });
    };
    let (bytes, content_type) = text_of(body);
    let mut headers = Vec::new();
    attributes(input, &mut headers);
    for k in ["MessageGroupId", "MessageDeduplicationId"] {
        if let Some(v) = input.get(k).filter(|v| v.is_string()) {
            headers.push((k.into(), v.clone()));
        }
    }
    let id = uuid();
    headers.push(("MessageId".into(), Value::String(id.clone())));
    let md5 = {
        use md5::Digest;
        hex(&md5::Md5::digest(&bytes))
    };
    let mut out = json!({"MD5OfMessageBody": md5, "MessageId": id});
    sdk_metadata(&mut out);
    let message = Message { destination: dest.clone(), routing_key: String::new(), body: bytes, content_type, headers };
    Plan::Publish { messages: vec![message], answer: TaskAnswer::Success(out) }
}

fn sns(m: &Mappings, input: &Value) -> Plan {
    let text = |k: &str| input.get(k).and_then(Value::as_str);
    let topic = text("TopicArn").or(text("TargetArn"));
    let Some((topic, dest)) = topic.and_then(|t| m.sns.get(t).map(|d| (t, d))) else {
        return Plan::Unmapped;
    };
    let Some(message) = input.get("Message").filter(|b| !b.is_null()) else {
        return Plan::Refused(TaskAnswer::Failure {
            error: "SNS.InvalidParameterException".into(),
            cause: format!(
                "Invalid parameter: Message (Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter; Request ID: {}; Proxy: null)",
                uuid()
            ),
        });
    };
    let (bytes, content_type) = text_of(message);
    let id = uuid();
    let mut headers =
        vec![("TopicArn".to_string(), Value::String(topic.into())), ("MessageId".into(), Value::String(id.clone()))];
    if let Some(s) = input.get("Subject").filter(|v| v.is_string()) {
        headers.push(("Subject".into(), s.clone()));
    }
    attributes(input, &mut headers);
    let mut out = json!({"MessageId": id});
    if topic.ends_with(".fifo") {
        out["SequenceNumber"] = json!(format!(
            "{:020}",
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos()
                % 10u128.pow(20)
        ));
    }
    sdk_metadata(&mut out);
    let message = Message { destination: dest.clone(), routing_key: String::new(), body: bytes, content_type, headers };
    Plan::Publish { messages: vec![message], answer: TaskAnswer::Success(out) }
}

fn events(m: &Mappings, task: &TaskEnvelope, now_ms: i64) -> Plan {
    let Some(entries) = task.input.get("Entries").and_then(Value::as_array) else {
        return Plan::Unmapped;
    };
    let bus = |e: &Value| e.get("EventBusName").and_then(Value::as_str).unwrap_or("default").to_string();
    if !entries.iter().any(|e| m.event_bus(&bus(e)).is_some()) {
        return Plan::Unmapped;
    }
    // `arn:aws:states:REGION:ACCOUNT:stateMachine:NAME`: where the events come from.
    let parts: Vec<&str> = task.state_machine_arn.split(':').collect();
    let (region, account) = (parts.get(3).copied().unwrap_or(""), parts.get(4).copied().unwrap_or(""));
    let mut messages = Vec::new();
    let mut results = Vec::new();
    for e in entries {
        let failed = |code: &str, message: String| json!({"ErrorCode": code, "ErrorMessage": message});
        let name = bus(e);
        let Some(dest) = m.event_bus(&name) else {
            results.push(failed("ResourceNotFoundException", format!("Event bus {name} does not exist.")));
            continue;
        };
        let field = |k: &str| e.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
        let (Some(source), Some(detail_type)) = (field("Source"), field("DetailType")) else {
            let missing = if field("Source").is_none() { "Source" } else { "DetailType" };
            results.push(failed(
                "InvalidArgument",
                format!("Parameter {missing} is not valid. Reason: {missing} is a required argument."),
            ));
            continue;
        };
        let detail = match e.get("Detail") {
            Some(Value::Object(d)) => Value::Object(d.clone()),
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Object(_)) => v,
                _ => {
                    results.push(failed("MalformedDetail", "Detail is malformed.".into()));
                    continue;
                }
            },
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(_) => {
                results.push(failed("MalformedDetail", "Detail is malformed.".into()));
                continue;
            }
        };
        let mut resources: Vec<Value> = e.get("Resources").and_then(Value::as_array).cloned().unwrap_or_default();
        resources.push(json!(task.state_machine_arn));
        resources.push(json!(task.execution_arn));
        let id = uuid();
        let time = e.get("Time").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| rfc3339(now_ms));
        let event = json!({"version": "0", "id": id, "detail-type": detail_type, "source": source, "account": account,
            "time": time, "region": region, "resources": resources, "detail": detail});
        messages.push(Message {
            destination: dest.clone(),
            routing_key: detail_type.to_string(),
            body: event.to_string().into_bytes(),
            content_type: Some("application/json"),
            headers: vec![
                ("EventBusName".into(), Value::String(name)),
                ("MessageId".into(), Value::String(id.clone())),
            ],
        });
        results.push(json!({"EventId": id}));
    }
    let failed = results.iter().filter(|r| r.get("ErrorCode").is_some()).count();
    let out = json!({"Entries": results, "FailedEntryCount": failed});
    let answer = match failed {
        0 => TaskAnswer::Success(out),
        _ => TaskAnswer::Failure { error: "EventBridge.FailedEntry".into(), cause: out.to_string() },
    };
    Plan::Publish { messages, answer }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `2026-12-07T18:02:43Z`, as EventBridge writes an event's time.
fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = stepline_core::jsonata::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::settings::{Mapping, MessagingSettings};

    fn mappings() -> Mappings {
        let map = |aws: &str, subject: &str| Mapping {
            aws: aws.into(),
            nats_subject: Some(subject.into()),
            ..Default::default()
        };
        Mappings::new(&MessagingSettings {
            sqs: vec![map("https://sqs.us-east-1.amazonaws.com/1/orders", "orders")],
            sns: vec![map("arn:aws:sns:us-east-1:1:alerts.fifo", "alerts")],
            events: vec![Mapping { aws: "default".into(), amqp_exchange: Some("events".into()), ..Default::default() }],
        })
        .unwrap()
    }

    fn task(activity: &str, input: Value) -> TaskEnvelope {
        TaskEnvelope {
            token: "t".into(),
            activity: activity.into(),
            resource: String::new(),
            input,
            execution_arn: "arn:aws:states:eu-west-1:123:execution:m:e".into(),
            execution_name: "e".into(),
            state_machine_arn: "arn:aws:states:eu-west-1:123:stateMachine:m".into(),
            state_name: "S".into(),
            entered_time: 0,
            timeout_seconds: None,
            heartbeat_seconds: None,
            retry_count: 0,
            wait_for_token: false,
        }
    }

    #[test]
    fn an_sqs_message_is_published_with_the_md5_of_its_body() {
        let t = task(
            SQS_SEND,
            json!({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/orders", "MessageBody": "hello",
            "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "new"}}}),
        );
        let Plan::Publish { messages, answer: TaskAnswer::Success(out) } = plan(&mappings(), &t, 0) else { panic!() };
        assert_eq!(out["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(messages[0].body, b"hello");
        assert_eq!(messages[0].destination, Destination::Nats { subject: "orders".into() });
        assert!(messages[0].headers.contains(&("kind".into(), json!("new"))));
        let other =
            task(SQS_SEND, json!({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/other", "MessageBody": "x"}));
        assert_eq!(plan(&mappings(), &other, 0), Plan::Unmapped);
        let no_body = task(SQS_SEND, json!({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/orders"}));
        assert!(
            matches!(plan(&mappings(), &no_body, 0), Plan::Refused(TaskAnswer::Failure { error, .. }) if error == "SQS.AmazonSQSException")
        );
    }

    #[test]
    fn an_sns_message_to_a_fifo_topic_has_a_sequence_number() {
        let t = task(
            SNS_PUBLISH,
            json!({"TopicArn": "arn:aws:sns:us-east-1:1:alerts.fifo", "Message": {"a": 1}, "Subject": "s"}),
        );
        let Plan::Publish { messages, answer: TaskAnswer::Success(out) } = plan(&mappings(), &t, 0) else { panic!() };
        assert_eq!(messages[0].body, br#"{"a":1}"#);
        assert!(out["MessageId"].is_string() && out["SequenceNumber"].as_str().unwrap().len() == 20, "{out}");
    }

    #[test]
    fn events_are_eventbridge_events_with_the_execution_in_their_resources() {
        let t = task(
            EVENTS_PUT,
            json!({"Entries": [
            {"Source": "shop", "DetailType": "OrderPlaced", "Detail": {"id": 7}},
            {"DetailType": "x", "Detail": {}},
            {"Source": "shop", "DetailType": "x", "Detail": "[1]"}]}),
        );
        let Plan::Publish { messages, answer: TaskAnswer::Failure { error, cause } } =
            plan(&mappings(), &t, 1_796_666_563_000)
        else {
            panic!()
        };
        assert_eq!(error, "EventBridge.FailedEntry");
        let out: Value = serde_json::from_str(&cause).unwrap();
        assert_eq!(out["FailedEntryCount"], 2);
        assert_eq!(
            out["Entries"][1]["ErrorMessage"],
            "Parameter Source is not valid. Reason: Source is a required argument."
        );
        assert_eq!(out["Entries"][2]["ErrorCode"], "MalformedDetail");
        assert_eq!(messages.len(), 1);
        let event: Value = serde_json::from_slice(&messages[0].body).unwrap();
        assert_eq!(
            (event["detail-type"].as_str(), event["region"].as_str(), event["account"].as_str()),
            (Some("OrderPlaced"), Some("eu-west-1"), Some("123"))
        );
        assert_eq!(
            event["resources"],
            json!(["arn:aws:states:eu-west-1:123:stateMachine:m", "arn:aws:states:eu-west-1:123:execution:m:e"])
        );
        assert_eq!(event["time"], "2026-12-07T18:02:43Z");
        assert_eq!(messages[0].routing_key, "OrderPlaced");
    }
}
