//! How an engine is set up: where its store lives, its limits, its clock.

use std::path::PathBuf;
use std::sync::Arc;
use stepline_asl::clock::{Clock, SystemClock};

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Directory holding `stepline.redb`.
    pub data_dir: PathBuf,
    /// Most requests applied in one commit.
    pub max_batch: usize,
    pub region: String,
    pub account: String,
    /// Largest execution input, state output or task result in bytes.
    pub max_payload: usize,
    /// How many EXPRESS execution summaries are kept in memory.
    pub express_summaries: usize,
    /// The store's page cache in bytes.
    pub cache_bytes: usize,
    /// Most history events per execution (AWS: 25,000).
    pub max_history_events: u64,
    /// Longest a STANDARD execution may run, in seconds (AWS: one year).
    pub max_standard_seconds: u64,
    /// Longest an EXPRESS execution may run, in seconds (AWS: five minutes).
    pub max_express_seconds: u64,
    /// AWS Step Functions Local's mock config: `StartExecution` on `<arn>#<TestCase>`
    /// runs with that test case's mocked task results.
    pub mock_config: Option<Arc<stepline_asl::testing::MockConfig>>,
    /// Where the engine reads the time: the wall clock, or a test's clock.
    pub clock: Arc<dyn Clock>,
    /// Where `ItemReader` and `ResultWriter` find buckets: a directory per bucket under
    /// this one (`<data_dir>/buckets` when unset), unless `object_store` is set.
    pub buckets_dir: Option<PathBuf>,
    /// An S3-compatible object store for `ItemReader` and `ResultWriter`.
    pub object_store: Option<ObjectStoreConfig>,
    /// Most child executions a Map Run starts in one batch of the engine: a big Map Run
    /// gets a share of each batch and everyone else keeps being answered.
    pub map_run_children_per_batch: usize,
    /// Wait states and Retry intervals last this many times as long (Step Functions
    /// Local's `WAIT_TIME_SCALE`): 0.01 runs a suite of long waits in moments.
    pub wait_scale: f64,
    /// Which ended executions are pruned, and how fast (`retention/`); none when unset.
    pub retention: Option<Retention>,
}

/// History retention: ended executions that started longer ago than `max_age_days`, and
/// the oldest beyond the newest `max_ended`, are pruned in the background.
#[derive(Debug, Clone, PartialEq)]
pub struct Retention {
    pub max_age_days: Option<u64>,
    pub max_ended: Option<u64>,
    /// Most executions pruned in one batch of the engine.
    pub per_batch: usize,
    /// Least time between two batches that prune, in milliseconds.
    pub interval_ms: u64,
}

impl Default for Retention {
    /// AWS's 90 days, 250 executions at most every 50 ms (5,000 a second).
    fn default() -> Self {
        Retention { max_age_days: Some(90), max_ended: None, per_batch: 250, interval_ms: 50 }
    }
}

/// An S3-compatible object store (AWS S3, MinIO, moto...).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectStoreConfig {
    /// `http://127.0.0.1:9000`; path-style addressing (`<endpoint>/<bucket>/<key>`).
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Temporary credentials' session token, when the keys are temporary ones.
    pub session_token: Option<String>,
}

impl EngineConfig {
    /// The directory of bucket `bucket` when buckets are local directories.
    pub fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.buckets_dir.clone().unwrap_or_else(|| self.data_dir.join("buckets")).join(bucket)
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            data_dir: PathBuf::from("data"),
            max_batch: 512,
            region: "us-east-1".into(),
            account: "000000000000".into(),
            max_payload: stepline_asl::interp::MAX_PAYLOAD_BYTES,
            express_summaries: 10_000,
            cache_bytes: crate::store::DEFAULT_CACHE_BYTES,
            mock_config: None,
            max_history_events: stepline_asl::model::MAX_HISTORY_EVENTS,
            max_standard_seconds: stepline_asl::model::MAX_STANDARD_SECONDS,
            max_express_seconds: stepline_asl::model::MAX_EXPRESS_SECONDS,
            clock: Arc::new(SystemClock),
            buckets_dir: None,
            object_store: None,
            map_run_children_per_batch: 2_000,
            retention: None,
            wait_scale: 1.0,
        }
    }
}

impl EngineConfig {
    /// Gives a compiled machine the limits this engine runs executions under.
    pub(crate) fn limit(&self, m: &mut stepline_asl::model::StateMachine, kind: stepline_asl::model::MachineType) {
        m.max_payload = self.max_payload;
        m.map_runs = true;
        m.wait_scale = self.wait_scale;
        m.max_history_events = self.max_history_events;
        m.max_duration_seconds = Some(match kind {
            stepline_asl::model::MachineType::Express => self.max_express_seconds,
            stepline_asl::model::MachineType::Standard => self.max_standard_seconds,
        });
    }
}
