//! Which fields each state type allows, and which belong to one query language only.

pub(super) const COMMON: &[&str] =
    &["Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "Assign", "Output"];

pub(super) fn allowed_fields(ty: &str) -> &'static [&'static str] {
    match ty {
        "Pass" => &["Result", "ResultPath", "Parameters"],
        "Task" => &[
            "Resource",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Retry",
            "Catch",
            "Credentials",
            "Arguments",
        ],
        "Choice" => &["Choices", "Default"],
        "Wait" => &["Seconds", "Timestamp", "SecondsPath", "TimestampPath"],
        "Succeed" => &[],
        "Fail" => &["Error", "Cause", "ErrorPath", "CausePath"],
        "Parallel" => &["Branches", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch", "Arguments"],
        "Map" => &[
            "Iterator",
            "ItemProcessor",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "Parameters",
            "ItemBatcher",
            "ItemReader",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "Label",
            "Arguments",
        ],
        _ => &[],
    }
}

/// Fields that only exist in the JSONPath query language, and those only in JSONata.
/// `ItemSelector` is in neither: a JSONata Map evaluates it as a template of `{% %}`
/// expressions with `$states.context.Map.Item`.
pub(super) const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "ErrorPath",
    "CausePath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
];
pub(super) const JSONATA_ONLY: &[&str] = &["Arguments", "Output"];
