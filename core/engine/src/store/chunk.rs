//! History chunks on disk: the events' JSON, LZ4-compressed behind a one-byte tag.
//!
//! History JSON repeats the same keys in every event and compresses about five to one;
//! a chunk then fits several to a page instead of spilling over two, which cuts the bytes
//! each commit writes. The tag keeps room for other encodings; a chunk starting with `[`
//! is plain JSON (as the first stores wrote them).

use std::borrow::Cow;

const LZ4: u8 = 1;

pub fn encode(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 4 + lz4_flex::block::get_maximum_output_size(json.len()));
    out.push(LZ4);
    out.extend_from_slice(&lz4_flex::block::compress_prepend_size(json));
    out
}

pub fn decode(stored: &[u8]) -> Result<Cow<'_, [u8]>, lz4_flex::block::DecompressError> {
    match stored.split_first() {
        Some((&LZ4, rest)) => Ok(Cow::Owned(lz4_flex::block::decompress_size_prepended(rest)?)),
        _ => Ok(Cow::Borrowed(stored)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_round_trip_and_plain_json_still_reads() {
        let json = br#"[{"id":1,"type":"ExecutionStarted"},{"id":2,"type":"PassStateEntered"}]"#;
        let stored = encode(json);
        assert_eq!(stored[0], LZ4);
        assert_eq!(&*decode(&stored).unwrap(), json);
        assert_eq!(&*decode(json).unwrap(), json);
        assert!(decode(&[LZ4, 100, 0, 0, 0, 0xf0]).is_err(), "a truncated chunk is an error, not a panic");
    }
}
