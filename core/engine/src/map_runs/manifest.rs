//! `InputType: MANIFEST`: an S3 Inventory report's `manifest.json` names CSV files (gzip
//! compressed, `.csv.gz`) in its destination bucket whose columns its `fileSchema` names;
//! their rows are the items, one file after the other, each read as it is reached.

use super::items::{Csv, ItemStream, ReadError};
use serde_json::Value;
use std::io::{BufReader, Read};

/// Opens an object's bytes: `(bucket, key)`.
pub(crate) type Open = Box<dyn FnMut(&str, &str) -> Result<Box<dyn Read + Send>, ReadError> + Send>;

pub(crate) struct Manifest {
    bucket: String,
    files: std::vec::IntoIter<String>,
    headers: Vec<String>,
    open: Open,
    current: Option<Csv<BufReader<Box<dyn Read + Send>>>>,
}

impl Manifest {
    /// Reads the manifest itself (small) and plans the files.
    pub(crate) fn new(manifest: &mut dyn Read, open: Open) -> Result<Manifest, ReadError> {
        let mut text = String::new();
        manifest.read_to_string(&mut text).map_err(|e| ReadError(format!("reading the manifest: {e}")))?;
        let m: Value = serde_json::from_str(&text).map_err(|e| ReadError(format!("the manifest is not JSON: {e}")))?;
        match m["fileFormat"].as_str() {
            Some("CSV") => {}
            other => {
                return Err(ReadError(format!(
                    "the manifest's fileFormat is {}: only CSV inventories can be read",
                    other.unwrap_or("missing")
                )))
            }
        }
        let bucket = m["destinationBucket"].as_str().unwrap_or_default();
        let bucket = bucket.strip_prefix("arn:aws:s3:::").unwrap_or(bucket).to_string();
        let headers: Vec<String> =
            m["fileSchema"].as_str().unwrap_or_default().split(',').map(|h| h.trim().to_string()).collect();
        let files: Vec<String> = m["files"]
            .as_array()
            .ok_or_else(|| ReadError("the manifest lists no files".into()))?
            .iter()
            .filter_map(|f| f["key"].as_str().map(str::to_string))
            .collect();
        if bucket.is_empty() || headers.iter().all(String::is_empty) {
            return Err(ReadError("the manifest needs a destinationBucket and a fileSchema".into()));
        }
        Ok(Manifest { bucket, files: files.into_iter(), headers, open, current: None })
    }
}

impl ItemStream for Manifest {
    fn next_item(&mut self) -> Option<Result<Value, ReadError>> {
        loop {
            if let Some(csv) = &mut self.current {
                match csv.next_item() {
                    Some(item) => return Some(item),
                    None => self.current = None,
                }
            }
            let key = self.files.next()?;
            let bytes = match (self.open)(&self.bucket, &key) {
                Ok(b) => b,
                Err(e) => return Some(Err(e)),
            };
            let bytes: Box<dyn Read + Send> =
                if key.ends_with(".gz") { Box::new(flate2::read::MultiGzDecoder::new(bytes)) } else { bytes };
            let input = BufReader::with_capacity(256 * 1024, bytes);
            self.current = Some(Csv::new(input, b',', Some(self.headers.clone())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Write;

    #[test]
    fn rows_of_every_listed_file_in_order_gzipped_or_not() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"src,a.json,10\nsrc,b.json,20\n").unwrap();
        let gz = gz.finish().unwrap();
        let manifest = json!({"sourceBucket": "src", "destinationBucket": "arn:aws:s3:::inv", "fileFormat": "CSV",
            "fileSchema": "Bucket, Key, Size", "files": [{"key": "f/1.csv.gz"}, {"key": "f/2.csv"}]})
        .to_string();
        let open: Open = Box::new(move |bucket, key| {
            assert_eq!(bucket, "inv");
            Ok(match key {
                "f/1.csv.gz" => Box::new(std::io::Cursor::new(gz.clone())),
                _ => Box::new(std::io::Cursor::new(b"src,c.json,30\n".to_vec())),
            })
        });
        let mut m = Manifest::new(&mut manifest.as_bytes(), open).unwrap();
        let items: Vec<Value> = std::iter::from_fn(|| m.next_item()).map(Result::unwrap).collect();
        assert_eq!(
            items,
            vec![
                json!({"Bucket": "src", "Key": "a.json", "Size": "10"}),
                json!({"Bucket": "src", "Key": "b.json", "Size": "20"}),
                json!({"Bucket": "src", "Key": "c.json", "Size": "30"}),
            ]
        );
        let orc = json!({"destinationBucket": "x", "fileFormat": "ORC", "fileSchema": "a", "files": []}).to_string();
        assert!(Manifest::new(&mut orc.as_bytes(), Box::new(|_, _| unreachable!())).is_err());
    }
}
