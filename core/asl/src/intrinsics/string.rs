//! `States.StringSplit`.

use super::call::{runtime, Function, IntrinsicError};
use serde_json::Value;

/// Splits on every character of the delimiter string and drops empty pieces, like Java's
/// `StringTokenizer` (recorded on AWS: `", , ,"` split on `","` gives `[" ", " "]`, and
/// `"This.is+a,test=string"` on `".+,="` gives five words).
pub(super) fn split(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let mut args = args.into_iter();
    let (Some(Value::String(s)), Some(Value::String(delimiters))) = (args.next(), args.next()) else {
        return Err(runtime(Function::StringSplit, "arguments 1 and 2 must be strings"));
    };
    let tokens =
        s.split(|c: char| delimiters.contains(c)).filter(|t| !t.is_empty()).map(|t| Value::String(t.to_string()));
    Ok(Value::Array(tokens.collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(s: &str, d: &str) -> Value {
        split(vec![json!(s), json!(d)]).unwrap()
    }

    #[test]
    fn splits_like_string_tokenizer() {
        assert_eq!(run("1,2,3", ","), json!(["1", "2", "3"]));
        assert_eq!(run(",,,,", ","), json!([]));
        assert_eq!(run("", ","), json!([]));
        assert_eq!(run("abc", ""), json!(["abc"]));
        assert_eq!(run("a😀b", "😀"), json!(["a", "b"]));
        assert_eq!(run("split on T and \nnew line", "T\n"), json!(["split on ", " and ", "new line"]));
    }
}
