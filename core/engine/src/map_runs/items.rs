//! Item readers: a Map Run's items read one at a time from a byte stream (JSON array,
//! JSON Lines, CSV) or listed from a bucket, never all held at once.

use serde_json::{Map, Value};
use std::io::BufRead;

/// Why items could not be read: the Map Run fails with `States.ItemReaderFailed`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ReadError(pub String);

/// Items, one at a time.
pub(crate) trait ItemStream: Send {
    fn next_item(&mut self) -> Option<Result<Value, ReadError>>;
}

/// Items already in memory (an object listing, or a test's items).
pub(crate) struct InMemory(pub std::vec::IntoIter<Value>);

impl ItemStream for InMemory {
    fn next_item(&mut self) -> Option<Result<Value, ReadError>> {
        self.0.next().map(Ok)
    }
}

/// JSON Lines: one item per non-blank line.
pub(crate) struct JsonLines<R> {
    input: R,
    line: Vec<u8>,
    number: u64,
}

impl<R: BufRead + Send> JsonLines<R> {
    pub(crate) fn new(input: R) -> Self {
        JsonLines { input, line: Vec::new(), number: 0 }
    }
}

impl<R: BufRead + Send> ItemStream for JsonLines<R> {
    fn next_item(&mut self) -> Option<Result<Value, ReadError>> {
        loop {
            self.line.clear();
            match self.input.read_until(b'\n', &mut self.line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(ReadError(format!("reading the items: {e}")))),
            }
            self.number += 1;
            if self.line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(
                serde_json::from_slice(&self.line)
                    .map_err(|e| ReadError(format!("line {} is not a JSON value: {e}", self.number))),
            );
        }
    }
}

/// A JSON array, element by element: the bytes of one element are collected (depth and
/// strings tracked) and parsed alone.
pub(crate) struct JsonArray<R> {
    input: R,
    started: bool,
    done: bool,
    element: Vec<u8>,
    count: u64,
}

impl<R: BufRead + Send> JsonArray<R> {
    pub(crate) fn new(input: R) -> Self {
        JsonArray { input, started: false, done: false, element: Vec::new(), count: 0 }
    }

    fn byte(&mut self) -> Result<Option<u8>, ReadError> {
        let buf = self.input.fill_buf().map_err(|e| ReadError(format!("reading the items: {e}")))?;
        let Some(&b) = buf.first() else { return Ok(None) };
        self.input.consume(1);
        Ok(Some(b))
    }

    fn next_element(&mut self) -> Result<Option<Value>, ReadError> {
        if !self.started {
            self.started = true;
            loop {
                match self.byte()? {
                    Some(b) if b.is_ascii_whitespace() => continue,
                    // A byte order mark.
                    Some(0xEF) => {
                        self.byte()?;
                        self.byte()?;
                    }
                    Some(b'[') => break,
                    _ => return Err(ReadError("the items are not a JSON array".into())),
                }
            }
        }
        self.element.clear();
        let (mut depth, mut in_string, mut escaped) = (0u32, false, false);
        loop {
            let Some(b) = self.byte()? else {
                return Err(ReadError("the JSON array of items ends early".into()));
            };
            if in_string {
                self.element.push(b);
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => depth += 1,
                b']' | b'}' if depth > 0 => depth -= 1,
                b']' if depth == 0 => {
                    self.done = true;
                    break;
                }
                b',' if depth == 0 => break,
                _ => {}
            }
            self.element.push(b);
        }
        if self.element.iter().all(u8::is_ascii_whitespace) {
            if self.done && self.count == 0 {
                return Ok(None);
            }
            return Err(ReadError(format!("item {} of the JSON array is empty", self.count)));
        }
        let v = serde_json::from_slice(&self.element)
            .map_err(|e| ReadError(format!("item {} of the JSON array is not valid JSON: {e}", self.count)))?;
        self.count += 1;
        Ok(Some(v))
    }
}

impl<R: BufRead + Send> ItemStream for JsonArray<R> {
    fn next_item(&mut self) -> Option<Result<Value, ReadError>> {
        if self.done {
            return None;
        }
        match self.next_element() {
            Ok(Some(v)) => Some(Ok(v)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// CSV rows as objects keyed by the header row (or the given headers), every value a
/// string, as AWS gives them. Quoted fields may hold delimiters, quotes (doubled) and
/// line breaks.
pub(crate) struct Csv<R> {
    input: R,
    delimiter: u8,
    headers: Option<Vec<String>>,
    row: u64,
}

impl<R: BufRead + Send> Csv<R> {
    pub(crate) fn new(input: R, delimiter: u8, headers: Option<Vec<String>>) -> Self {
        Csv { input, delimiter, headers, row: 0 }
    }

    /// The next record's fields; `None` at the end.
    fn record(&mut self) -> Result<Option<Vec<String>>, ReadError> {
        let mut fields = Vec::new();
        let mut field = Vec::new();
        let (mut quoted, mut any) = (false, false);
        loop {
            let buf = self.input.fill_buf().map_err(|e| ReadError(format!("reading the items: {e}")))?;
            let Some(&b) = buf.first() else {
                if quoted {
                    return Err(ReadError(format!("a quoted field of row {} is not closed", self.row + 1)));
                }
                if !any {
                    return Ok(None);
                }
                fields.push(text(field)?);
                return Ok(Some(fields));
            };
            self.input.consume(1);
            // A byte order mark before the first field of the file.
            if self.row == 0 && !any && fields.is_empty() && b == 0xEF {
                let bom = self.input.fill_buf().map_err(|e| ReadError(e.to_string()))?;
                if bom.starts_with(&[0xBB, 0xBF]) {
                    self.input.consume(2);
                    continue;
                }
            }
            any = true;
            if quoted {
                if b == b'"' {
                    let next = self.input.fill_buf().map_err(|e| ReadError(e.to_string()))?.first().copied();
                    if next == Some(b'"') {
                        self.input.consume(1);
                        field.push(b'"');
                    } else {
                        quoted = false;
                    }
                } else {
                    field.push(b);
                }
                continue;
            }
            match b {
                b'"' if field.is_empty() => quoted = true,
                b'\n' => {
                    if field.last() == Some(&b'\r') {
                        field.pop();
                    }
                    fields.push(text(std::mem::take(&mut field))?);
                    return Ok(Some(fields));
                }
                b if b == self.delimiter => fields.push(text(std::mem::take(&mut field))?),
                b => field.push(b),
            }
        }
    }
}

fn text(bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|_| ReadError("a CSV field is not UTF-8".into()))
}

impl<R: BufRead + Send> ItemStream for Csv<R> {
    fn next_item(&mut self) -> Option<Result<Value, ReadError>> {
        loop {
            let rec = match self.record() {
                Ok(Some(r)) => r,
                Ok(None) => return None,
                Err(e) => return Some(Err(e)),
            };
            self.row += 1;
            if rec.len() == 1 && rec[0].is_empty() {
                continue;
            }
            let Some(headers) = &self.headers else {
                self.headers = Some(rec);
                continue;
            };
            if rec.len() > headers.len() {
                return Some(Err(ReadError(format!(
                    "row {} of the CSV has {} fields, more than its {} headers",
                    self.row,
                    rec.len(),
                    headers.len()
                ))));
            }
            let mut o = Map::new();
            for (i, h) in headers.iter().enumerate() {
                o.insert(h.clone(), Value::String(rec.get(i).cloned().unwrap_or_default()));
            }
            return Some(Ok(Value::Object(o)));
        }
    }
}

/// The delimiter byte AWS's `CSVDelimiter` names.
pub(crate) fn csv_delimiter(name: Option<&str>) -> u8 {
    match name {
        Some("PIPE") => b'|',
        Some("SEMICOLON") => b';',
        Some("SPACE") => b' ',
        Some("TAB") => b'\t',
        _ => b',',
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn all(mut s: impl ItemStream) -> Vec<Result<Value, ReadError>> {
        std::iter::from_fn(|| s.next_item()).collect()
    }

    #[test]
    fn json_lines_skip_blank_lines_and_name_a_bad_one() {
        let items = all(JsonLines::new(&b"{\"a\":1}\n\n2\r\n[3]\nnope\n"[..]));
        assert_eq!(items[..3], [Ok(json!({"a": 1})), Ok(json!(2)), Ok(json!([3]))]);
        assert!(items[3].as_ref().unwrap_err().0.starts_with("line 5 is not a JSON value"));
    }

    #[test]
    fn json_arrays_stream_nested_values_and_strings_with_brackets() {
        let text = br#" [ {"a": [1, {"b": "],\"["}]}, "x,y", 3 ,null] "#;
        let items: Vec<Value> = all(JsonArray::new(&text[..])).into_iter().map(Result::unwrap).collect();
        assert_eq!(items, vec![json!({"a": [1, {"b": "],\"["}]}), json!("x,y"), json!(3), Value::Null]);
        assert!(all(JsonArray::new(&b"[]"[..])).is_empty());
        assert!(all(JsonArray::new(&b"{\"a\":1}"[..]))[0].is_err());
        let cut = all(JsonArray::new(&b"[1, 2"[..]));
        assert_eq!((cut.len(), &cut[0]), (2, &Ok(json!(1))));
        assert!(cut[1].as_ref().unwrap_err().0.contains("ends early"));
    }

    #[test]
    fn csv_rows_become_objects_of_strings() {
        let text = "id,name,note\n1,Ann,\"says \"\"hi\"\", twice\"\n2,Bob,\"two\nlines\"\n";
        let items: Vec<Value> = all(Csv::new(text.as_bytes(), b',', None)).into_iter().map(Result::unwrap).collect();
        assert_eq!(
            items,
            vec![
                json!({"id": "1", "name": "Ann", "note": "says \"hi\", twice"}),
                json!({"id": "2", "name": "Bob", "note": "two\nlines"}),
            ]
        );
        let bom = "\u{feff}k\nv\n";
        let items: Vec<Value> = all(Csv::new(bom.as_bytes(), b',', None)).into_iter().map(Result::unwrap).collect();
        assert_eq!(items, vec![json!({"k": "v"})]);
        let open = all(Csv::new(&b"a\n\"never closed\n"[..], b',', None));
        assert!(open[0].as_ref().unwrap_err().0.contains("not closed"), "{open:?}");
        let given = Some(vec!["a".to_string(), "b".to_string()]);
        let items: Vec<Value> =
            all(Csv::new(&b"1|2\r\n3|4"[..], b'|', given)).into_iter().map(Result::unwrap).collect();
        assert_eq!(items, vec![json!({"a": "1", "b": "2"}), json!({"a": "3", "b": "4"})]);
    }
}
