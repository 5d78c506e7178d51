//! One engine per prefix: the engine claims its prefix with a message on
//! `<prefix>.engine.holder` in a stream of the prefix's own (`<PREFIX>_ENGINE`, one message
//! per subject) whose messages lapse after [`CLAIM_TTL`], and refreshes its claim every
//! [`REFRESH`]. Each write is conditional on the last sequence of the subject (0 for the
//! first), so of two engines only one gets it. A second engine finds the claim taken and
//! refuses to start, naming the holder. A holder on this host whose process is gone
//! (killed, crashed) is taken over at once. This module decides nothing else.

use super::error::{BoxError, NatsError};
use crate::bus::Names;
use crate::holder::Holder;
use async_nats::jetstream::{self, context::PublishErrorKind, message::PublishMessage, stream};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

/// How long a claim lasts without a refresh: how long a crashed engine of another host
/// keeps its prefix.
pub const CLAIM_TTL: Duration = Duration::from_secs(15);
/// How often the holder refreshes its claim.
pub const REFRESH: Duration = Duration::from_secs(4);

/// The stream and subject of one prefix's claim.
#[derive(Clone)]
struct Place {
    js: jetstream::Context,
    stream: String,
    subject: String,
}

/// The claim message now on the subject.
struct Current {
    sequence: u64,
    holder: Option<Holder>,
}

#[derive(Debug)]
enum WriteError {
    /// Someone wrote since the sequence given: the claim changed hands.
    Changed,
    Other(BoxError),
}

impl Place {
    /// Writes `me` if the last claim message is still `last` (0: there is none).
    async fn write(&self, me: &Holder, last: u64) -> Result<u64, WriteError> {
        let msg = PublishMessage::build().payload(me.to_json().into()).expected_last_subject_sequence(last);
        let ack = self.js.send_publish(self.subject.clone(), msg).await.map_err(|e| WriteError::Other(e.into()))?;
        match ack.await {
            Ok(a) => Ok(a.sequence),
            Err(e) if e.kind() == PublishErrorKind::WrongLastSequence => Err(WriteError::Changed),
            Err(e) => Err(WriteError::Other(e.into())),
        }
    }

    async fn current(&self) -> Result<Option<Current>, BoxError> {
        use async_nats::jetstream::stream::LastRawMessageErrorKind;
        let s = self.js.get_stream_no_info(&self.stream).await.map_err(BoxError::from)?;
        match s.get_last_raw_message_by_subject(&self.subject).await {
            Ok(m) => Ok(Some(Current { sequence: m.sequence, holder: Holder::from_json(&m.payload) })),
            Err(e) if e.kind() == LastRawMessageErrorKind::NoMessageFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// How long a clean stop waits for the server to free the prefix.
const RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// This engine's hold on its NATS prefix. Kept fresh by a task of its own until
/// [`PrefixClaim::release`] (a clean shutdown) or the end of the runtime.
pub struct PrefixClaim {
    place: Place,
    me: Holder,
    prefix: String,
    refresher: Mutex<Option<tokio::task::JoinHandle<()>>>,
    lost: watch::Receiver<Option<String>>,
}

impl PrefixClaim {
    /// Takes the prefix, or says who holds it.
    pub(super) async fn take(js: &jetstream::Context, names: &Names, me: Holder) -> Result<PrefixClaim, NatsError> {
        let prefix = names.prefix.clone();
        let claim_err = |source: BoxError| NatsError::Claim { prefix: prefix.clone(), source };
        let place = Place { js: js.clone(), stream: names.claim_stream(), subject: names.claim_subject() };
        let config = stream::Config {
            name: place.stream.clone(),
            description: Some(format!("the Stepline engine that holds the prefix '{prefix}'")),
            subjects: vec![place.subject.clone()],
            max_messages_per_subject: 1,
            max_age: CLAIM_TTL,
            duplicate_window: Duration::from_secs(1),
            ..Default::default()
        };
        js.get_or_create_stream(config)
            .await
            .map_err(|e| claim_err(Box::new(NatsError::Stream { name: place.stream.clone(), source: e.into() })))?;
        let mut sequence = None;
        for _ in 0..5 {
            let current = place.current().await.map_err(claim_err)?;
            let last = match current {
                None => 0,
                Some(Current { sequence, holder: Some(h) }) if h.is_gone() => {
                    tracing::warn!(
                        "taking over the NATS prefix '{prefix}' from {}, which no longer runs",
                        h.describe()
                    );
                    sequence
                }
                Some(Current { holder: Some(h), .. }) => {
                    return Err(NatsError::PrefixHeld { prefix, holder: h.describe(), lapses_after: CLAIM_TTL });
                }
                Some(Current { holder: None, .. }) => {
                    return Err(NatsError::PrefixHeld {
                        prefix,
                        holder: "an engine that did not say who it is".into(),
                        lapses_after: CLAIM_TTL,
                    });
                }
            };
            match place.write(&me, last).await {
                Ok(s) => {
                    sequence = Some(s);
                    break;
                }
                // Another engine wrote first: look again.
                Err(WriteError::Changed) => continue,
                Err(WriteError::Other(e)) => return Err(claim_err(e)),
            }
        }
        let Some(sequence) = sequence else {
            return Err(claim_err("the claim kept changing hands; try again".into()));
        };
        let (lost_tx, lost) = watch::channel(None);
        let refresher = tokio::spawn(refresh(place.clone(), me.clone(), prefix.clone(), sequence, lost_tx));
        Ok(PrefixClaim { place, me, prefix, refresher: Mutex::new(Some(refresher)), lost })
    }

    /// Who this engine says it is.
    pub fn holder(&self) -> &Holder {
        &self.me
    }

    /// Gives the prefix up (a clean shutdown): another engine can start on it at once.
    pub async fn release(&self) {
        if let Some(r) = self.refresher.lock().unwrap_or_else(|p| p.into_inner()).take() {
            r.abort();
        }
        let free = async {
            if let Ok(Some(c)) = self.place.current().await {
                if c.holder.is_some_and(|h| h.instance == self.me.instance) {
                    if let Ok(s) = self.place.js.get_stream_no_info(&self.place.stream).await {
                        let _ = s.delete_message(c.sequence).await;
                    }
                }
            }
        };
        // Bounded: a stop must not wait on a server that does not answer; the claim then
        // lapses by itself.
        if tokio::time::timeout(RELEASE_WAIT, free).await.is_err() {
            tracing::warn!("NATS did not answer the release of the prefix within {RELEASE_WAIT:?}; stopping anyway");
        }
    }

    /// Resolves when another engine has taken the prefix (this one was cut off from the
    /// server longer than the claim lasts): the engine must stop, or both lose answers.
    pub(super) async fn lost(&self) -> NatsError {
        let mut lost = self.lost.clone();
        loop {
            if let Some(holder) = lost.borrow_and_update().clone() {
                return NatsError::PrefixLost { prefix: self.prefix.clone(), holder };
            }
            if lost.changed().await.is_err() {
                // Released: nothing more will be said.
                std::future::pending::<()>().await;
            }
        }
    }
}

impl Drop for PrefixClaim {
    fn drop(&mut self) {
        if let Some(r) = self.refresher.get_mut().unwrap_or_else(|p| p.into_inner()).take() {
            r.abort();
        }
    }
}

/// Refreshes the claim (a write conditional on its own last one) every [`REFRESH`]. A
/// claim that lapsed while the server was out of reach is taken again if no one else has;
/// one taken by another engine is reported on `lost`.
async fn refresh(place: Place, me: Holder, prefix: String, mut sequence: u64, lost: watch::Sender<Option<String>>) {
    loop {
        tokio::time::sleep(REFRESH).await;
        match place.write(&me, sequence).await {
            Ok(s) => {
                sequence = s;
                continue;
            }
            Err(e) => tracing::debug!("refreshing the claim on the NATS prefix '{prefix}': {e:?}"),
        }
        match place.current().await {
            Ok(None) => match place.write(&me, 0).await {
                Ok(s) => {
                    tracing::warn!("the claim on the NATS prefix '{prefix}' had lapsed; taken again");
                    sequence = s;
                }
                Err(e) => tracing::warn!("taking the NATS prefix '{prefix}' again: {e:?}; retrying"),
            },
            Ok(Some(c)) => match c.holder {
                Some(h) if h.instance == me.instance => sequence = c.sequence,
                other => {
                    let holder = other.map_or_else(|| "an engine that did not say who it is".into(), |h| h.describe());
                    tracing::error!("the NATS prefix '{prefix}' was taken by {holder}");
                    let _ = lost.send(Some(holder));
                    return;
                }
            },
            Err(e) => tracing::warn!("refreshing the claim on the NATS prefix '{prefix}': {e}; retrying"),
        }
    }
}
