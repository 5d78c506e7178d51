//! A Distributed Map handed to the driver as a Map Run: the interpreter evaluates what
//! only it can (items from the input, the reader's and writer's arguments, the limits),
//! then waits for the Map Run's answer as a Task waits for its worker's.

use super::super::errors::Failure;
use super::super::events::Command;
use super::super::exec::{Flow, Interp};
use super::super::execution::Wake;
use super::super::frame::{FrameId, Phase};
use super::super::map_run::{map_run_arn, BatchSpec, MapItems, MapRunRequest, ReaderItems, ResourceCall, SelectScope};
use super::map_limits::{Limits, Want};
use crate::entropy::Entropy;
use crate::history::{EventKind, Payload};
use crate::model::{IoResource, ResourceArgs, StateId, StateKind};
use serde_json::Value;

impl Interp<'_> {
    /// A new Map Run's ARN: its id comes from the execution's random source, so a replay
    /// names the same Map Run.
    pub(in super::super) fn new_map_run_arn(&mut self, _f: FrameId, sid: StateId) -> String {
        let st = &self.m.states[sid];
        let label = match &st.kind {
            StateKind::Map(m) => m.run.as_ref().map(|r| r.label_of(&st.name)),
            _ => None,
        }
        .unwrap_or_default();
        let (a, b) = (self.x.rng.next_u64(), self.x.rng.next_u64());
        let id = format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        );
        map_run_arn(&self.x.info.state_machine_arn, &label, &id)
    }

    /// Evaluates an `ItemReader`'s or `ResultWriter`'s arguments against the state input.
    fn resource_call(
        &mut self,
        f: FrameId,
        sid: StateId,
        effective: &Payload,
        r: &IoResource,
    ) -> Result<ResourceCall, Failure> {
        let arguments = match &r.arguments {
            None => Value::Object(Default::default()),
            Some(ResourceArgs::Path(t)) => {
                Payload::unwrap_or_clone(self.template(f, sid, Some(t), effective.clone())?)
            }
            Some(ResourceArgs::Ata(t)) => {
                let states = self.states_value(f, sid, effective, None);
                self.jeval(f, sid, t, "Arguments", &states)?
            }
        };
        Ok(ResourceCall { resource: r.resource.clone(), arguments, config: r.config.clone() })
    }

    /// A Map Run over items its driver reads (`ItemReader`).
    pub(super) fn start_map_run_reading(
        &mut self,
        f: FrameId,
        sid: StateId,
        effective: &Payload,
        reader: &IoResource,
        batcher: Option<BatchSpec>,
        limits: Limits,
    ) -> Result<Flow, Failure> {
        let call = self.resource_call(f, sid, effective, reader)?;
        let max_items = self
            .map_number(f, sid, effective, reader.max_items.as_ref(), "MaxItems", Want::Integer)?
            .filter(|n| *n > 0.0)
            .map(|n| n as u64);
        let scope = SelectScope {
            entered_event: self.frame(f).entered_event,
            input: effective.clone(),
            context: self.context(f, sid),
            vars: self.frame(f).vars.clone(),
        };
        let items = MapItems::Reader(Box::new(ReaderItems { reader: call, max_items, scope, batcher }));
        self.start_map_run(f, sid, effective, items, limits)
    }

    /// Asks the driver for the Map Run and waits for it.
    pub(super) fn start_map_run(
        &mut self,
        f: FrameId,
        sid: StateId,
        effective: &Payload,
        items: MapItems,
        limits: Limits,
    ) -> Result<Flow, Failure> {
        let m = self.m;
        let StateKind::Map(map) = &m.states[sid].kind else { unreachable!("a Map state") };
        let Some(run) = map.run.as_deref() else { unreachable!("a Distributed Map has its run fields") };
        let writer = match run.result_writer.as_deref() {
            Some(w) => Some(self.resource_call(f, sid, effective, w)?),
            None => None,
        };
        let redriven = self.frame_mut(f).resume_map_run.take();
        let redrive = redriven.is_some();
        let arn = match redriven {
            Some(arn) => {
                let redrive_count = self.x.info.redrive_count;
                self.record_in(f, EventKind::MapRunRedriven { map_run_arn: arn.clone(), redrive_count });
                arn
            }
            None => {
                let arn = self.new_map_run_arn(f, sid);
                self.record_in(f, EventKind::MapRunStarted { map_run_arn: arn.clone() });
                arn
            }
        };
        self.frame_mut(f).map_run = Some(arn.clone());
        let label = run.label_of(&m.states[sid].name);
        let id = self.new_wait(Wake::MapRun(f));
        let request = MapRunRequest {
            id,
            state: sid,
            state_name: m.states[sid].name.to_string(),
            arn,
            label,
            express: run.express,
            processor_definition: run.processor_definition.clone(),
            items,
            max_concurrency: limits.max.unwrap_or(0.0) as u64,
            tolerated_count: limits.count.map(|c| c as u64),
            tolerated_percentage: limits.pct,
            writer,
            retry_count: self.frame(f).retry_count,
            batched: map.item_batcher.is_some(),
            redrive,
        };
        self.cmds.push(Command::StartMapRun(Box::new(request)));
        self.frame_mut(f).phase = Phase::WaitingTask { timers: Vec::new() };
        Ok(Flow::Blocked)
    }

    /// The driver answered the Map Run: the Map state goes on with its results (or error).
    pub(in super::super) fn map_run_answered(&mut self, f: FrameId, result: Result<Value, Failure>) {
        match &result {
            Ok(_) => self.record_in(f, EventKind::MapRunSucceeded),
            Err(e) => self.record_in(f, EventKind::MapRunFailed { error: e.error.clone(), cause: e.cause.clone() }),
        };
        self.frame_mut(f).phase = Phase::Completed(result);
        self.x.ready.push_back(f);
    }
}
