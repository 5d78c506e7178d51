//! The comparison operators of ASL by name: one table, so that compiling a rule and
//! recognising an operator key can never disagree.

use std::cmp::Ordering;

/// Which values a comparison applies to; any other value makes it false.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

impl Family {
    /// What the literal operand must be, as said in diagnostics.
    pub(super) fn expected(self) -> &'static str {
        match self {
            Family::String => "a string",
            Family::Numeric => "a number",
            Family::Boolean => "a boolean",
            Family::Timestamp => "a valid RFC3339 timestamp string",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Relation {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

impl Relation {
    pub(super) fn holds(self, ord: Ordering) -> bool {
        match self {
            Relation::Equals => ord == Ordering::Equal,
            Relation::LessThan => ord == Ordering::Less,
            Relation::GreaterThan => ord == Ordering::Greater,
            Relation::LessThanEquals => ord != Ordering::Greater,
            Relation::GreaterThanEquals => ord != Ordering::Less,
        }
    }
}

/// The type tests `Is…` (other than `IsPresent`, which looks at existence, not type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TypeTest {
    Null,
    Numeric,
    String,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operator {
    /// `path`: the `…Path` form, whose operand is a path rather than a literal.
    Compare {
        family: Family,
        relation: Relation,
        path: bool,
    },
    StringMatches,
    IsPresent,
    Is(TypeTest),
}

macro_rules! compare_ops {
    ($($name:literal, $path_name:literal => $family:ident $relation:ident;)*) => {
        &[$(
            ($name, Operator::Compare { family: Family::$family, relation: Relation::$relation, path: false }),
            ($path_name, Operator::Compare { family: Family::$family, relation: Relation::$relation, path: true }),
        )*]
    };
}

const COMPARISONS: &[(&str, Operator)] = compare_ops! {
    "StringEquals", "StringEqualsPath" => String Equals;
    "StringLessThan", "StringLessThanPath" => String LessThan;
    "StringGreaterThan", "StringGreaterThanPath" => String GreaterThan;
    "StringLessThanEquals", "StringLessThanEqualsPath" => String LessThanEquals;
    "StringGreaterThanEquals", "StringGreaterThanEqualsPath" => String GreaterThanEquals;
    "NumericEquals", "NumericEqualsPath" => Numeric Equals;
    "NumericLessThan", "NumericLessThanPath" => Numeric LessThan;
    "NumericGreaterThan", "NumericGreaterThanPath" => Numeric GreaterThan;
    "NumericLessThanEquals", "NumericLessThanEqualsPath" => Numeric LessThanEquals;
    "NumericGreaterThanEquals", "NumericGreaterThanEqualsPath" => Numeric GreaterThanEquals;
    "BooleanEquals", "BooleanEqualsPath" => Boolean Equals;
    "TimestampEquals", "TimestampEqualsPath" => Timestamp Equals;
    "TimestampLessThan", "TimestampLessThanPath" => Timestamp LessThan;
    "TimestampGreaterThan", "TimestampGreaterThanPath" => Timestamp GreaterThan;
    "TimestampLessThanEquals", "TimestampLessThanEqualsPath" => Timestamp LessThanEquals;
    "TimestampGreaterThanEquals", "TimestampGreaterThanEqualsPath" => Timestamp GreaterThanEquals;
};

/// Operators without a `…Path` form (ASL has no `StringMatchesPath`).
const OTHERS: &[(&str, Operator)] = &[
    ("StringMatches", Operator::StringMatches),
    ("IsPresent", Operator::IsPresent),
    ("IsNull", Operator::Is(TypeTest::Null)),
    ("IsNumeric", Operator::Is(TypeTest::Numeric)),
    ("IsString", Operator::Is(TypeTest::String)),
    ("IsBoolean", Operator::Is(TypeTest::Boolean)),
    ("IsTimestamp", Operator::Is(TypeTest::Timestamp)),
];

/// The operator named `name`, with the name as a `'static` string for error reports.
pub(super) fn lookup(name: &str) -> Option<(&'static str, Operator)> {
    COMPARISONS.iter().chain(OTHERS).find(|(n, _)| *n == name).copied()
}

#[cfg(test)]
pub(super) fn all_names() -> impl Iterator<Item = &'static str> {
    COMPARISONS.iter().chain(OTHERS).map(|(n, _)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asl_operator_is_known_once() {
        let names: Vec<_> = all_names().collect();
        // 16 comparisons, each with its `…Path` form, then StringMatches and the six `Is…` tests.
        assert_eq!(names.len(), 16 * 2 + 7);
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert_eq!(
            lookup("NumericLessThanEqualsPath"),
            Some((
                "NumericLessThanEqualsPath",
                Operator::Compare { family: Family::Numeric, relation: Relation::LessThanEquals, path: true }
            ))
        );
        assert_eq!(lookup("StringMatchesPath"), None);
        assert_eq!(lookup("stringequals"), None);
    }
}
