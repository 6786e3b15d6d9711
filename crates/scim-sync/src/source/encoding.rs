//! Bytes to text: sources are UTF-8, with or without a byte-order mark.
//!
//! Anything else is refused with the lines it is on, never guessed at: a
//! Latin-1 `é` read as UTF-8 would become a different name at the provider.

use super::error::{SourceError, SourceErrorKind, SourceErrors};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The text of `bytes`, without a UTF-8 byte-order mark; an error per line
/// that is not UTF-8 or holds NUL bytes, or one for a UTF-16 (or UTF-32)
/// byte-order mark.
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, SourceErrors> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(SourceError::new(
            SourceErrorKind::Encoding,
            "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8",
        )
        .at(1)
        .into());
    }
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => Ok(text),
        _ => Err(bad_lines(bytes)),
    }
}

/// An error for each line that is not UTF-8 or holds a NUL byte. A line
/// feed never occurs inside a multi-byte UTF-8 sequence, so lines can be
/// split before decoding.
fn bad_lines(bytes: &[u8]) -> SourceErrors {
    let mut errors = SourceErrors::default();
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let message = match std::str::from_utf8(line) {
            Err(e) => format!(
                "not UTF-8 (byte 0x{:02X}; mixed encodings?); save the file as UTF-8",
                line.get(e.valid_up_to()).copied().unwrap_or(0)
            ),
            Ok(text) if text.contains('\0') => {
                "contains NUL bytes (UTF-16 without a byte-order mark?); save the file as UTF-8"
                    .to_owned()
            }
            Ok(_) => continue,
        };
        errors.push(SourceError::new(SourceErrorKind::Encoding, message).at(index + 1));
    }
    errors
}
