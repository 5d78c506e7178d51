//! The tasks the engine waits on: what each token stands for, the tokens `.waitForTaskToken`
//! tasks are handed out under, tasks outside any execution, and answers counted per
//! activity for operators.

use crate::effects::{Effects, Withdrawal};
use crate::request::{Reply, TaskAnswer};
use crate::tasks::PendingTask;
use std::collections::HashMap;
use stepline_asl::interp::WaitId;
use stepline_asl::time::Millis;

/// What a token stands for.
pub(crate) struct TaskRef {
    pub arn: String,
    pub id: WaitId,
    /// `lambda:invoke`: the worker's answer becomes the `Payload` of a Lambda response.
    pub wrap_lambda: bool,
    /// Which dispatcher has it.
    pub activity: String,
    /// It invokes a Lambda function (see [`crate::Routes::lambda`]).
    pub lambda: bool,
    /// What an operator sees of it.
    pub info: PendingTask,
    /// `.waitForTaskToken`: the token the task was handed out under. The worker's own
    /// reply to it is not the task's result (the callback with `token` is); a failure
    /// reply means the invocation failed, and fails the task.
    pub invocation: Option<String>,
}

/// A task outside any execution (`TestState`): its activity, deadline and who waits.
pub(crate) struct Detached {
    pub activity: String,
    pub lambda: bool,
    pub deadline: Millis,
    pub reply: Reply<TaskAnswer>,
}

#[derive(Default)]
pub(crate) struct TaskTable {
    pub tokens: HashMap<String, TaskRef>,
    /// Tokens `.waitForTaskToken` tasks were handed out under -> their callback tokens.
    pub invocations: HashMap<String, String>,
    pub detached: HashMap<String, Detached>,
    /// Successes and failures received per activity since the engine started.
    pub answered: HashMap<String, u64>,
}

impl TaskTable {
    /// A task's token is spent or no longer wanted: forgotten, taken out of the tasks this
    /// batch would hand out, or withdrawn from its dispatcher.
    pub(crate) fn withdraw(&mut self, effects: &mut Effects, token: &str, answered: bool) {
        let Some(t) = self.tokens.remove(token) else { return };
        let handed_as = match &t.invocation {
            Some(inv) => match self.invocations.remove(inv) {
                Some(_) => inv.clone(),
                // Its worker has replied already: nothing of it is left with the dispatcher.
                None => return,
            },
            None => token.to_string(),
        };
        if effects.dispatch.swap_remove(&handed_as).is_none() {
            effects.withdraw.push(Withdrawal { activity: t.activity, lambda: t.lambda, token: handed_as, answered });
        }
    }

    /// Forgets every task (the engine rebuilds its memory from the store); each is
    /// withdrawn from its dispatcher.
    pub(crate) fn forget_all(&mut self, effects: &mut Effects) {
        for (token, t) in std::mem::take(&mut self.tokens) {
            let token = t.invocation.clone().unwrap_or(token);
            effects.withdraw.push(Withdrawal { activity: t.activity, lambda: t.lambda, token, answered: false });
        }
        self.invocations.clear();
    }

    /// The earliest deadline of a task outside any execution.
    pub(crate) fn next_deadline(&self) -> Option<Millis> {
        self.detached.values().map(|d| d.deadline).min()
    }
}

/// The token a `.waitForTaskToken` task is handed to its worker under: derived from the
/// callback token one-to-one (so a replay hands it out again the same), and shaped like
/// every token Stepline issues.
pub(crate) fn invocation_token(token: &str) -> String {
    let n = u128::from_str_radix(token, 16).unwrap_or_default();
    format!(
        "{:032x}",
        (n ^ 0x5ce9_a17e_0b5e_55ed_1a57_c0de_f00d_cafe).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
    )
}
