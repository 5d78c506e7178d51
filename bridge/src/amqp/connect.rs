//! Connecting (URIs tried in turn, credentials, vhost, TLS) and declaring the topology.

use super::error::{AmqpError, ConnectFailures};
use super::settings::AmqpSettings;
use crate::bus::Names;
use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties, ExchangeKind};

/// A connection to the first broker of `settings.uris` that takes it.
pub async fn connect(settings: &AmqpSettings) -> Result<Connection, AmqpError> {
    connect_named(settings, "stepline").await.map(|(c, _)| c)
}

/// [`connect`] under a connection name, with the virtual host it connected to.
pub(super) async fn connect_named(settings: &AmqpSettings, name: &str) -> Result<(Connection, String), AmqpError> {
    let tls = match &settings.tls_ca {
        Some(ca) => {
            let pem =
                std::fs::read_to_string(ca).map_err(|source| AmqpError::Certificate { path: ca.clone(), source })?;
            lapin::tcp::OwnedTLSConfig { identity: None, cert_chain: Some(pem) }
        }
        None => lapin::tcp::OwnedTLSConfig::default(),
    };
    let mut reasons = Vec::new();
    for text in &settings.uris {
        let mut uri: lapin::uri::AMQPUri =
            text.parse().map_err(|reason: String| AmqpError::BadUri { uri: redact(text), reason })?;
        if let Some(u) = &settings.user {
            uri.authority.userinfo.username = u.clone();
        }
        if let Some(p) = &settings.password {
            uri.authority.userinfo.password = p.clone();
        }
        if let Some(v) = &settings.vhost {
            uri.vhost = v.clone();
        }
        if settings.tls_ca.is_some() {
            uri.scheme = lapin::uri::AMQPScheme::AMQPS;
        }
        if uri.query.connection_timeout.is_none() {
            uri.query.connection_timeout = Some(5000);
        }
        let props = ConnectionProperties::default().with_connection_name(name.into());
        let vhost = uri.vhost.clone();
        let runtime = match lapin::runtime::default_runtime() {
            Ok(r) => r,
            Err(e) => {
                reasons.push((redact(text), e));
                break;
            }
        };
        match Connection::connect_uri_with_config(uri, props, tls.clone(), runtime).await {
            Ok(c) => return Ok((c, vhost)),
            Err(e) => reasons.push((redact(text), e)),
        }
    }
    Err(AmqpError::Connect {
        uris: settings.uris.iter().map(|u| redact(u)).collect::<Vec<_>>().join(","),
        source: ConnectFailures(reasons),
    })
}

/// A URI without its password, for messages and logs.
fn redact(uri: &str) -> String {
    match (uri.find("://"), uri.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &uri[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &uri[..s + 3], &uri[at..])
        }
        _ => uri.to_string(),
    }
}

/// The exchanges and queues every engine needs: tasks, results, events, dead letters.
pub(super) async fn declare_topology(ch: &Channel, names: &Names) -> Result<(), AmqpError> {
    let durable = ExchangeDeclareOptions { durable: true, ..Default::default() };
    for (name, kind) in [
        (names.tasks_exchange(), ExchangeKind::Direct),
        (names.events_exchange(), ExchangeKind::Topic),
        (names.dead_letter(), ExchangeKind::Fanout),
    ] {
        ch.exchange_declare(name.as_str().into(), kind, durable, FieldTable::default())
            .await
            .map_err(AmqpError::broker(format!("declare exchange {name}")))?;
    }
    declare_queue(ch, &names.results_queue()).await?;
    declare_queue(ch, &names.dead_letter()).await?;
    ch.queue_bind(
        names.dead_letter().into(),
        names.dead_letter().into(),
        "".into(),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await
    .map_err(AmqpError::broker(format!("bind queue {}", names.dead_letter())))?;
    Ok(())
}

/// The durable queue of an activity's tasks, bound to the tasks exchange.
pub(super) async fn declare_task_queue(ch: &Channel, names: &Names, activity: &str) -> Result<(), AmqpError> {
    let queue = names.task_queue(activity);
    declare_queue(ch, &queue).await?;
    ch.queue_bind(
        queue.as_str().into(),
        names.tasks_exchange().into(),
        activity.into(),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await
    .map_err(AmqpError::broker(format!("bind queue {queue}")))
}

pub(super) async fn declare_queue(ch: &Channel, queue: &str) -> Result<(), AmqpError> {
    ch.queue_declare(queue.into(), QueueDeclareOptions { durable: true, ..Default::default() }, FieldTable::default())
        .await
        .map(drop)
        .map_err(AmqpError::broker(format!("declare queue {queue}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(super::redact("amqp://guest:secret@host:5672/%2f"), "amqp://guest:***@host:5672/%2f");
        assert_eq!(super::redact("amqp://host:5672"), "amqp://host:5672");
    }
}
