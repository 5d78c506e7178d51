//! `States.Base64Encode`, `States.Base64Decode` and `States.Hash`.

use super::call::{runtime, Function, IntrinsicError};
use super::parse::HASH_ALGORITHMS;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use md5::Md5;
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// AWS limits the input of these functions to 10,000 characters (counted as Java does,
/// in UTF-16 code units).
pub(super) const MAX_INPUT_CHARS: usize = 10_000;

/// Java's basic decoder: the standard alphabet, padding optional but correct when present,
/// no whitespace, stray bits in the last character ignored.
const DECODER: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

fn input(f: Function, args: Vec<Value>) -> Result<String, IntrinsicError> {
    match args.into_iter().next() {
        Some(Value::String(s)) => {
            let len = s.encode_utf16().count();
            if len > MAX_INPUT_CHARS {
                return Err(runtime(
                    f,
                    format!("the input has {len} characters, but at most {MAX_INPUT_CHARS} are allowed"),
                ));
            }
            Ok(s)
        }
        _ => Err(runtime(f, "argument 1 must be a string")),
    }
}

/// Base64 (standard alphabet, padded) of the UTF-8 bytes.
pub(super) fn base64_encode(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let s = input(Function::Base64Encode, args)?;
    Ok(Value::String(STANDARD.encode(s.as_bytes())))
}

/// Decodes base64 to bytes read as UTF-8 (bytes that are not UTF-8 become U+FFFD, as with
/// Java's `new String(bytes, UTF_8)`).
pub(super) fn base64_decode(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let s = input(Function::Base64Decode, args)?;
    // Padding, when present, must complete the last group of four (`QQ=` is refused).
    if s.contains('=') && s.len() % 4 != 0 {
        return Err(runtime(Function::Base64Decode, "the input is not valid base64: incomplete padding"));
    }
    let bytes = DECODER
        .decode(s.as_bytes())
        .map_err(|e| runtime(Function::Base64Decode, format!("the input is not valid base64: {e}")))?;
    Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
}

/// The lower-case hex digest of the UTF-8 bytes of the data.
pub(super) fn hash(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let mut args = args.into_iter();
    let data = input(Function::Hash, args.next().into_iter().collect())?;
    let algorithm = args.next().unwrap_or(Value::Null);
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match algorithm.as_str().unwrap_or_default() {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        _ => {
            return Err(runtime(
                Function::Hash,
                format!("the hash algorithm must be one of {}, but was {algorithm}", HASH_ALGORITHMS.join(", ")),
            ))
        }
    };
    Ok(Value::String(digest.iter().map(|b| format!("{b:02x}")).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64_round_trip() {
        assert_eq!(base64_encode(vec![json!("Data to encode")]).unwrap(), json!("RGF0YSB0byBlbmNvZGU="));
        assert_eq!(base64_encode(vec![json!("é")]).unwrap(), json!("w6k="));
        assert_eq!(base64_decode(vec![json!("w6k=")]).unwrap(), json!("é"));
        assert_eq!(base64_decode(vec![json!("w6k")]).unwrap(), json!("é"));
        assert_eq!(base64_decode(vec![json!("/w==")]).unwrap(), json!("\u{FFFD}"));
        assert_eq!(base64_decode(vec![json!("")]).unwrap(), json!(""));
        // Java's decoder ignores stray bits in the last character.
        assert_eq!(base64_decode(vec![json!("QR")]).unwrap(), json!("A"));
        assert_eq!(base64_decode(vec![json!("/+KCQQ==")]).unwrap(), json!("\u{FFFD}\u{FFFD}A"));
    }

    #[test]
    fn base64_decode_rejects_garbage() {
        for bad in ["w6k==", "a", "ab cd", "a$bc", "QQ=", "Q===", "QQ==QQ==", "QQ=a", "====", "w6k=\n"] {
            assert!(base64_decode(vec![json!(bad)]).is_err(), "{bad}");
        }
        assert_eq!(
            base64_decode(vec![json!("a$bc")]).unwrap_err().to_string(),
            "Invalid arguments in States.Base64Decode: the input is not valid base64: Invalid symbol 36, offset 1."
        );
    }

    #[test]
    fn inputs_are_limited_to_10000_characters() {
        assert!(base64_encode(vec![json!("x".repeat(10_000))]).is_ok());
        assert_eq!(
            base64_encode(vec![json!("x".repeat(10_001))]).unwrap_err().to_string(),
            "Invalid arguments in States.Base64Encode: the input has 10001 characters, but at most 10000 are allowed"
        );
        assert!(hash(vec![json!("😀".repeat(5_001)), json!("MD5")]).is_err());
    }

    #[test]
    fn hashes() {
        let h = |alg: &str| hash(vec![json!("input data"), json!(alg)]).unwrap();
        assert_eq!(h("MD5"), json!("812f45842bc6d66ee14572ce20db8e86"));
        assert_eq!(h("SHA-1"), json!("aaff4a450a104cd177d28d18d74485e8cae074b7"));
        assert_eq!(h("SHA-256"), json!("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"));
        assert_eq!(
            h("SHA-384"),
            json!("d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562")
        );
        assert_eq!(
            h("SHA-512"),
            json!("6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4")
        );
        assert!(hash(vec![json!("x"), json!("sha-256")]).is_err());
    }
}
