//! Who holds a bus prefix. Two engines on one NATS prefix (or one AMQP vhost and prefix)
//! would share the results and the control API and lose each other's answers, so an
//! engine claims its prefix at start with this identity, and a second one names the
//! holder when it refuses to start. Nothing here talks to a bus.

use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::OnceLock;

/// The engine process that holds (or asks for) a prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub host: String,
    pub pid: u32,
    /// The engine's data directory, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// When it took the prefix (RFC 3339, UTC).
    pub since: String,
    /// Unique per process: tells this process from an earlier one with the same host and
    /// pid (a container restarted with the same hostname, where the engine is pid 1 again).
    pub instance: String,
}

impl Holder {
    /// This process, taking a prefix now.
    pub fn this_process(data: Option<&Path>) -> Holder {
        Holder {
            host: hostname(),
            pid: std::process::id(),
            data: data.map(|d| std::path::absolute(d).unwrap_or_else(|_| d.to_path_buf()).display().to_string()),
            since: stepline_core::time::format_timestamp(stepline_core::clock::Clock::now(
                &stepline_core::clock::SystemClock,
            )),
            instance: instance().to_string(),
        }
    }

    /// `the Stepline engine on HOST (pid N, data DIR) since T`.
    pub fn describe(&self) -> String {
        let data = self.data.as_ref().map(|d| format!(", data {d}")).unwrap_or_default();
        format!("the Stepline engine on {} (pid {}{data}) since {}", self.host, self.pid, self.since)
    }

    /// Whether this is another engine object of this very process.
    pub fn is_this_process(&self) -> bool {
        self.instance == instance()
    }

    /// Whether the holder is a process of this host that no longer runs (it crashed or was
    /// killed): its claim can be taken over at once instead of waiting for it to lapse.
    pub fn is_gone(&self) -> bool {
        if self.host != hostname() || self.is_this_process() {
            return false;
        }
        // The same pid in another instance is an earlier process whose pid came back.
        self.pid == std::process::id() || !pid_alive(self.pid)
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn from_json(bytes: &[u8]) -> Option<Holder> {
        serde_json::from_slice(bytes).ok()
    }
}

/// This process's instance id: its pid and the time it first asked, in nanoseconds.
fn instance() -> &'static str {
    static INSTANCE: OnceLock<String> = OnceLock::new();
    INSTANCE.get_or_init(|| {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        format!("{}-{nanos:x}", std::process::id())
    })
}

/// The host's name (`localhost` if it cannot be read).
pub fn hostname() -> String {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname writes at most that much.
        let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
        if rc == 0 {
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            if end > 0 {
                return String::from_utf8_lossy(&buf[..end]).into_owned();
            }
        }
    }
    std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into())
}

/// Whether a process with this pid runs on this host (one of another user counts).
fn pid_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else { return true };
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        if unsafe { libc::kill(pid, 0) } == 0 {
            return true;
        }
        std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_is_described_with_host_pid_data_and_time() {
        let h = Holder {
            host: "box".into(),
            pid: 42,
            data: Some("/srv/data".into()),
            since: "2026-01-01T00:00:00.000Z".into(),
            instance: "x".into(),
        };
        assert_eq!(h.describe(), "the Stepline engine on box (pid 42, data /srv/data) since 2026-01-01T00:00:00.000Z");
        assert_eq!(Holder::from_json(&h.to_json()), Some(h));
    }

    #[test]
    fn only_a_dead_process_of_this_host_is_gone() {
        let me = Holder::this_process(None);
        assert!(!me.is_gone(), "this process runs");
        assert!(me.is_this_process());
        let earlier = Holder { instance: "earlier".into(), ..me.clone() };
        assert!(earlier.is_gone(), "an earlier process with this pid has ended");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let dead = Holder { pid, instance: "dead".into(), ..me.clone() };
        assert!(dead.is_gone(), "pid {pid} has exited");
        let elsewhere = Holder { host: format!("{}-elsewhere", me.host), ..dead };
        assert!(!elsewhere.is_gone(), "a process of another host is never known to be gone");
    }
}
