//! What becomes of a JetStream message, in JetStream's words.

use crate::bus::Disposition;
use async_nats::jetstream::AckKind;

/// A message's [`Disposition`] as JetStream says it: ack, nak
/// with a delay, or terminate (never redelivered).
pub(super) fn to_ack_kind(d: &Disposition) -> AckKind {
    match d {
        Disposition::Ack => AckKind::Ack,
        Disposition::Retry(delay) => AckKind::Nak(Some(*delay)),
        Disposition::Reject(_) => AckKind::Term,
    }
}
