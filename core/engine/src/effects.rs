//! What a batch leaves to do once it has committed: tasks to hand out, tasks to take back,
//! replies, status events, caches to drop. Handlers only collect these; the run loop
//! carries them out after the commit (or answers with the commit's failure).

use crate::dispatch::Routes;
use crate::envelope::TaskEnvelope;
use crate::error::EngineError;
use crate::request::Reply;
use crate::store::ExecutionRecord;

/// A reply held until its batch commits: sent as computed, or with the commit's failure.
pub(crate) type Later = Box<dyn FnOnce(Option<&str>) + Send>;

pub(crate) fn later<T: Send + 'static>(reply: Reply<T>, res: Result<T, EngineError>) -> Later {
    Box::new(move |failed| match failed {
        None => reply.send(res),
        Some(why) => reply.send(Err(EngineError::Unavailable(why.to_string()))),
    })
}

/// A task its dispatcher should give up: `answered` when its answer was applied.
pub(crate) struct Withdrawal {
    pub activity: String,
    pub lambda: bool,
    pub token: String,
    pub answered: bool,
}

#[derive(Default)]
pub(crate) struct Effects {
    /// Tasks to hand out, by the token they are handed out under: an answer or a
    /// cancellation in the same batch finds its task here without a scan.
    pub dispatch: indexmap::IndexMap<String, TaskEnvelope>,
    /// Tasks handed out earlier that are no longer wanted.
    pub withdraw: Vec<Withdrawal>,
    /// Replies to the batch's requests.
    pub replies: Vec<Later>,
    /// `StartSyncExecution` callers whose execution ended.
    pub finished_sync: Vec<(Reply<ExecutionRecord>, ExecutionRecord)>,
    /// Status changes, for the listeners.
    pub notify: Vec<ExecutionRecord>,
    /// Execution log lines `(machine name, line)`, written once the batch is durable.
    pub logs: Vec<(String, String)>,
    /// State machines updated or deleted: dropped from the caches.
    pub invalidated: Vec<String>,
}

impl Effects {
    /// Tells dispatchers what no longer stands; done whether or not the commit held, since
    /// the engine's memory has forgotten those tasks either way.
    pub(crate) fn withdraw_all(&mut self, routes: &Routes) {
        for w in self.withdraw.drain(..) {
            routes.withdraw(&w.activity, w.lambda, &w.token, w.answered);
        }
    }

    /// Hands out the tasks collected, after a commit made them durable.
    pub(crate) fn dispatch_all(&mut self, routes: &Routes) {
        for (_, t) in std::mem::take(&mut self.dispatch) {
            routes.dispatch(t);
        }
    }
}
