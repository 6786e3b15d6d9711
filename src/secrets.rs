//! [`Secrets`]: the credentials a request carries, and the one scrubber that
//! replaces them in every string the client hands back.
//!
//! A server may echo the `Authorization` header in an error body, a header
//! or a resource; a proxy may put it in its error page. It may echo it
//! transformed, too: JSON-escaped (`xoxp-A\/B`, `xoxp-A\u002fB`),
//! percent-encoded (`Bearer%20xoxp-A%2FB`, `%2f`, `+` for a space),
//! upper- or lower-cased, or any mix of these. The client knows its own
//! credentials, so before an error leaves a call it replaces every
//! occurrence, in any of these forms, with [`REDACTED`]: its `Display`, its
//! `Debug`, the body and headers it keeps and the log lines about it never
//! show them.
//!
//! # How occurrences are found
//!
//! The text is read through a few *views*: streams of bytes decoded on the
//! fly, each byte remembering which bytes of the original it stands for.
//! Every view is folded (ASCII case, and `' '` read as `'+'`) and searched
//! for every secret, folded the same way, in one pass:
//!
//! ```text
//!            ┌─► as is ──────────────────────────────┐
//!            ├─► JSON escapes decoded ───────────────┤   fold, search
//!  original ─┼─► percent escapes decoded ────────────┼─► every secret ─► original
//!            ├─► JSON, then percent escapes decoded ─┤   (KMP)            ranges
//!            └─► percent, then JSON escapes decoded ─┘
//! ```
//!
//! A match in any view maps back to the original bytes it was decoded from;
//! those ranges, merged, are replaced. The view "as is" finds a secret that
//! itself holds something escape-like (`%41`, `\n`), which a decoding view
//! would read as an escape. The decoding views are only read when the text
//! holds `\` or `%`: an error body without escapes costs one pass.
//!
//! Each view keeps a few bytes of state (an escape being read, one search
//! state per secret, the origins of the last bytes seen), so scrubbing is
//! linear in the text and needs memory for the longest secret, the ranges
//! found and the result only.
//!
//! A quote this crate cuts short ends in `…`: a beginning of a secret
//! ([`MIN_CUT_PREFIX`] bytes or more) right before it is replaced too.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use http::HeaderMap;

/// What a secret is replaced with, in every string this crate and its
/// companion crates hand back: error texts, kept bodies and headers, log
/// lines and `Debug` output.
pub const REDACTED: &str = "[redacted]";

/// The shortest secret scrubbed: shorter values (a one-letter test token)
/// would turn ordinary text into noise and are no secret worth the name.
pub(crate) const MIN_SECRET_LEN: usize = 6;

/// The shortest beginning of a secret replaced before a cut (`…`).
const MIN_CUT_PREFIX: usize = 4;

/// `…` (U+2026) in UTF-8: what a quote cut short ends with.
const CUT: [u8; 3] = [0xE2, 0x80, 0xA6];

/// Values to scrub from text: a request's credentials, or any secrets a
/// caller names with [`Secrets::new`].
///
/// Each is found exactly, JSON-escaped (`\/`, `\"`, `\\`, `\uXXXX` for any
/// character, surrogate pairs included), percent-encoded (any byte, either
/// hex case, `+` or `%20` for a space), in any ASCII case, or in any mix of
/// these (JSON holding percent-encoding, and the other way round), and
/// replaced with [`REDACTED`]. So is a beginning of one (4 bytes or more)
/// right before a `…`, where a quote was cut short. Values shorter than 6
/// bytes are not scrubbed.
///
/// The text is read at most five times (as is; with JSON escapes, percent
/// escapes, or both decoded, in either order; only the first when it holds
/// no `\` nor `%`), each time searching for every value at once: time is
/// linear in the text, and memory beyond the result is the ranges found and
/// a few bytes per value.
///
/// `Debug` shows how many values there are, never the values.
///
/// ```
/// use scim_client::Secrets;
///
/// let secrets = Secrets::new(["xoxp-A/B+C="]);
/// let echo = r#"{"detail": "bad token XOXP-A\/B%2BC%3d"}"#;
/// assert_eq!(secrets.scrub(echo), r#"{"detail": "bad token [redacted]"}"#);
/// ```
#[derive(Clone, Default)]
pub struct Secrets(Vec<Pattern>);

impl Secrets {
    /// Secrets to scrub: each value of 6 bytes or more.
    pub fn new<I>(values: I) -> Secrets
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut patterns: Vec<Pattern> = values
            .into_iter()
            .filter(|value| value.as_ref().len() >= MIN_SECRET_LEN)
            .map(|value| Pattern::new(value.as_ref()))
            .collect();
        patterns.sort_by(|a, b| a.folded.cmp(&b.folded));
        patterns.dedup_by(|a, b| a.folded == b.folded);
        Secrets(patterns)
    }

    /// The secrets in `headers`: values marked sensitive (the token, and
    /// credentials given as default headers) and the usual credential
    /// headers; for `Bearer`/`Basic` values, the credential after the scheme
    /// too.
    pub(crate) fn of(headers: &HeaderMap) -> Secrets {
        use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION};
        let credentials = headers.iter().filter_map(|(name, value)| {
            let credential =
                value.is_sensitive() || [AUTHORIZATION, PROXY_AUTHORIZATION, COOKIE].contains(name);
            credential.then(|| value.to_str().ok()).flatten()
        });
        Secrets::of_credentials(credentials)
    }

    /// Secrets made of credential values, each also without its scheme:
    /// of `Bearer xoxp-…`, the token alone may be echoed too.
    pub(crate) fn of_credentials<'a>(values: impl IntoIterator<Item = &'a str>) -> Secrets {
        Secrets::new(values.into_iter().flat_map(|text| {
            let credential = text
                .split_once(' ')
                .map(|(_, credential)| credential.trim());
            std::iter::once(text).chain(credential)
        }))
    }

    /// `text` with every occurrence of a secret, in any form, replaced by
    /// [`REDACTED`]; borrowed when there was none.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut ranges = self.ranges(text.as_bytes());
        if ranges.is_empty() {
            return Cow::Borrowed(text);
        }
        // Matches start and end on characters; made sure of, not assumed.
        for range in &mut ranges {
            while !text.is_char_boundary(range.start) {
                range.start -= 1;
            }
            while !text.is_char_boundary(range.end) {
                range.end += 1;
            }
        }
        let bytes = replaced(text.as_bytes(), &merged(ranges));
        Cow::Owned(
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        )
    }

    /// Bytes with every occurrence of a secret, in any form, replaced by
    /// [`REDACTED`] (a body that may not be UTF-8).
    pub fn scrub_bytes(&self, bytes: &mut Vec<u8>) {
        let ranges = self.ranges(bytes);
        if !ranges.is_empty() {
            *bytes = replaced(bytes, &ranges);
        }
    }

    /// True when `text` holds a secret, in any form.
    pub fn occur_in(&self, text: &[u8]) -> bool {
        !self.ranges(text).is_empty()
    }

    /// True when there is nothing to scrub.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `text` with every secret replaced, in place.
    pub(crate) fn scrub_string(&self, text: &mut String) {
        if let Cow::Owned(scrubbed) = self.scrub(text) {
            *text = scrubbed;
        }
    }

    /// Header values with a secret in them, replaced (and marked
    /// sensitive), whatever bytes they hold; a header whose name holds one
    /// is dropped (a name cannot hold the marker).
    pub(crate) fn scrub_headers(&self, headers: &mut HeaderMap) {
        let named: Vec<_> = headers
            .keys()
            .filter(|name| self.occur_in(name.as_str().as_bytes()))
            .cloned()
            .collect();
        for name in named {
            headers.remove(name);
        }
        for value in headers.values_mut() {
            let mut bytes = value.as_bytes().to_vec();
            self.scrub_bytes(&mut bytes);
            if bytes != value.as_bytes() {
                let mut clean = http::HeaderValue::from_bytes(&bytes)
                    .unwrap_or_else(|_| http::HeaderValue::from_static(REDACTED));
                clean.set_sensitive(true);
                *value = clean;
            }
        }
    }

    /// True when the text of `error` or of any error below it holds a secret.
    pub(crate) fn in_chain(&self, mut error: Option<&(dyn std::error::Error + 'static)>) -> bool {
        while let Some(e) = error {
            if self.occur_in(e.to_string().as_bytes()) {
                return true;
            }
            error = e.source();
        }
        false
    }

    /// Where secrets occur in `text`, in any form: sorted, disjoint ranges.
    fn ranges(&self, text: &[u8]) -> Vec<Range<usize>> {
        if self.0.is_empty() {
            return Vec::new();
        }
        let json = text.contains(&b'\\');
        let percent = text.contains(&b'%');
        let mut finder = Finder::new(&self.0);
        read(text, &mut finder);
        if json {
            read(text, &mut Unescape::new(Escape::Json, &mut finder));
        }
        if percent {
            read(text, &mut Unescape::new(Escape::Percent, &mut finder));
        }
        // JSON holding percent-encoding (a URL in a JSON body), and the
        // other way round (JSON in a query string); `%` and `\` may come
        // out of the first decoding.
        if json && (percent || holds_folded(text, b"\\u0025")) {
            let then_percent = Unescape::new(Escape::Percent, &mut finder);
            read(text, &mut Unescape::new(Escape::Json, then_percent));
        }
        if percent && (json || holds_folded(text, b"%5c")) {
            let then_json = Unescape::new(Escape::Json, &mut finder);
            read(text, &mut Unescape::new(Escape::Percent, then_json));
        }
        merged(finder.found)
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} values, {REDACTED})", self.0.len())
    }
}

/// A byte as compared: ASCII letters in lower case, and a space as `+`
/// (form encoding writes one for the other).
fn fold(byte: u8) -> u8 {
    match byte {
        b' ' => b'+',
        other => other.to_ascii_lowercase(),
    }
}

/// True when `text`, folded, holds `needle` (folded already).
fn holds_folded(text: &[u8], needle: &[u8]) -> bool {
    text.windows(needle.len())
        .any(|w| w.iter().zip(needle).all(|(&a, &b)| fold(a) == b))
}

/// `ranges` sorted, overlapping ones joined.
fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match out.last_mut() {
            Some(last) if range.start < last.end => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

/// `text` with each of `ranges` (sorted, disjoint) replaced by [`REDACTED`].
fn replaced(text: &[u8], ranges: &[Range<usize>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut kept = 0;
    for range in ranges {
        out.extend_from_slice(&text[kept..range.start]);
        out.extend_from_slice(REDACTED.as_bytes());
        kept = range.end;
    }
    out.extend_from_slice(&text[kept..]);
    out
}

/// One secret, folded, with its KMP failure table.
#[derive(Clone)]
struct Pattern {
    folded: Vec<u8>,
    /// For each prefix `folded[..=i]`, the length of its longest proper
    /// prefix that is also its suffix.
    border: Vec<usize>,
}

impl Pattern {
    fn new(secret: &str) -> Pattern {
        let folded: Vec<u8> = secret.bytes().map(fold).collect();
        let mut border = vec![0; folded.len()];
        let mut k = 0;
        for i in 1..folded.len() {
            while k > 0 && folded[i] != folded[k] {
                k = border[k - 1];
            }
            if folded[i] == folded[k] {
                k += 1;
            }
            border[i] = k;
        }
        Pattern { folded, border }
    }

    /// How many bytes of the secret are matched after `state` were and
    /// then `byte` (folded) came; the secret's length on a match.
    fn step(&self, mut state: usize, byte: u8) -> usize {
        if state == self.folded.len() {
            state = self.border[state - 1];
        }
        while state > 0 && self.folded[state] != byte {
            state = self.border[state - 1];
        }
        if self.folded[state] == byte {
            state + 1
        } else {
            0
        }
    }
}

/// One byte of a view, and the bytes `start..end` of the original it was
/// decoded from (every byte of a decoded character shares them).
#[derive(Clone, Copy, Debug, Default)]
struct Unit {
    byte: u8,
    start: usize,
    end: usize,
}

/// What a view's bytes are fed to: a decoder or the search.
trait Sink {
    /// True when `byte`, coming next from the original, would change
    /// nothing: it may be passed over.
    fn inert(&self, byte: u8) -> bool;
    /// The next byte.
    fn push(&mut self, unit: Unit);
    /// The end of the text: passes on what was held back, and is ready for
    /// another text.
    fn finish(&mut self);
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn inert(&self, byte: u8) -> bool {
        (**self).inert(byte)
    }
    fn push(&mut self, unit: Unit) {
        (**self).push(unit);
    }
    fn finish(&mut self) {
        (**self).finish();
    }
}

/// Feeds `text` to `sink`, byte by byte, passing over what cannot matter.
fn read(text: &[u8], sink: &mut impl Sink) {
    for (start, &byte) in text.iter().enumerate() {
        if sink.inert(byte) {
            continue;
        }
        sink.push(Unit {
            byte,
            start,
            end: start + 1,
        });
    }
    sink.finish();
}

/// The escapes a decoding view reads.
#[derive(Clone, Copy)]
enum Escape {
    /// `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` (surrogate
    /// pairs joined), RFC 8259 §7.
    Json,
    /// `%XX` in either case (RFC 3986 §2.1).
    Percent,
}

/// The longest escape read: a JSON surrogate pair.
const LONGEST_ESCAPE: usize = 12;

/// What the bytes held so far are.
enum Read {
    /// The start of an escape: more bytes are needed.
    More,
    /// Not an escape: the first byte stands for itself.
    Not,
    /// An escape of `used` bytes, standing for `bytes[..len]`.
    Decoded {
        bytes: [u8; 4],
        len: usize,
        used: usize,
    },
}

impl Read {
    fn char(c: char, used: usize) -> Read {
        let mut bytes = [0; 4];
        let len = c.encode_utf8(&mut bytes).len();
        Read::Decoded { bytes, len, used }
    }
}

impl Escape {
    fn opens(self, byte: u8) -> bool {
        match self {
            Escape::Json => byte == b'\\',
            Escape::Percent => byte == b'%',
        }
    }

    /// Reads `held`, which starts with the escape character.
    fn read(self, held: &[u8]) -> Read {
        match self {
            Escape::Json => json_escape(held),
            Escape::Percent => percent_escape(held),
        }
    }
}

fn percent_escape(held: &[u8]) -> Read {
    match held {
        [_] => Read::More,
        [_, h] if h.is_ascii_hexdigit() => Read::More,
        [_, h, l, ..] if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => Read::Decoded {
            bytes: [hex(*h) << 4 | hex(*l), 0, 0, 0],
            len: 1,
            used: 3,
        },
        _ => Read::Not,
    }
}

fn json_escape(held: &[u8]) -> Read {
    let Some(&kind) = held.get(1) else {
        return Read::More;
    };
    let c = match kind {
        b'"' | b'\\' | b'/' => char::from(kind),
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => return unicode_escape(held),
        _ => return Read::Not,
    };
    Read::char(c, 2)
}

/// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`; a lone surrogate reads as
/// U+FFFD (it cannot be part of a secret, which is UTF-8).
fn unicode_escape(held: &[u8]) -> Read {
    let Some(high) = hex4(&held[2..]) else {
        return Read::Not;
    };
    if held.len() < 6 {
        return Read::More;
    }
    if !(0xD800..0xDC00).contains(&high) {
        return Read::char(char::from_u32(high).unwrap_or('\u{FFFD}'), 6);
    }
    let low = &held[6..];
    let digits = low.get(2..).unwrap_or_default();
    let paired = low.first().is_none_or(|&b| b == b'\\')
        && low.get(1).is_none_or(|&b| b == b'u')
        && hex4(digits).is_some();
    if !paired {
        return Read::char('\u{FFFD}', 6);
    }
    if low.len() < 6 {
        return Read::More;
    }
    match hex4(digits) {
        Some(low @ 0xDC00..0xE000) => {
            let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            Read::char(char::from_u32(c).unwrap_or('\u{FFFD}'), 12)
        }
        _ => Read::char('\u{FFFD}', 6),
    }
}

/// Up to four hex digits as a number (`Some(0)` for none); `None` when one
/// of them is not a hex digit.
fn hex4(digits: &[u8]) -> Option<u32> {
    let digits = &digits[..digits.len().min(4)];
    digits.iter().try_fold(0, |n, &d| {
        d.is_ascii_hexdigit().then(|| n << 4 | u32::from(hex(d)))
    })
}

fn hex(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        _ => (digit | 0x20) - b'a' + 10,
    }
}

/// A decoding view: passes bytes on as they are, and escapes decoded.
struct Unescape<S> {
    escape: Escape,
    next: S,
    /// The bytes of an escape being read, and their values.
    held: [Unit; LONGEST_ESCAPE],
    values: [u8; LONGEST_ESCAPE],
    len: usize,
}

impl<S: Sink> Unescape<S> {
    fn new(escape: Escape, next: S) -> Unescape<S> {
        Unescape {
            escape,
            next,
            held: [Unit::default(); LONGEST_ESCAPE],
            values: [0; LONGEST_ESCAPE],
            len: 0,
        }
    }

    /// Passes on the first `used` bytes held, as `decoded` or as they are,
    /// and reads the rest again.
    fn release(&mut self, used: usize, decoded: Option<&[u8]>) {
        let len = std::mem::take(&mut self.len);
        match decoded {
            Some(bytes) => {
                let (start, end) = (self.held[0].start, self.held[used - 1].end);
                for &byte in bytes {
                    self.next.push(Unit { byte, start, end });
                }
            }
            None => {
                for i in 0..used {
                    let unit = self.held[i];
                    self.next.push(unit);
                }
            }
        }
        if used < len {
            let mut rest = [Unit::default(); LONGEST_ESCAPE];
            rest[..len - used].copy_from_slice(&self.held[used..len]);
            rest[..len - used].iter().for_each(|&unit| self.push(unit));
        }
    }
}

impl<S: Sink> Sink for Unescape<S> {
    fn inert(&self, byte: u8) -> bool {
        self.len == 0 && !self.escape.opens(byte) && self.next.inert(byte)
    }

    fn push(&mut self, unit: Unit) {
        if self.len == 0 && !self.escape.opens(unit.byte) {
            return self.next.push(unit);
        }
        self.held[self.len] = unit;
        self.values[self.len] = unit.byte;
        self.len += 1;
        match self.escape.read(&self.values[..self.len]) {
            Read::More => {}
            Read::Not => self.release(1, None),
            Read::Decoded { bytes, len, used } => self.release(used, Some(&bytes[..len])),
        }
    }

    fn finish(&mut self) {
        while self.len > 0 {
            self.release(1, None);
        }
        self.next.finish();
    }
}

/// The search: every secret's KMP state over a view's folded bytes, and the
/// original ranges found.
struct Finder<'a> {
    patterns: &'a [Pattern],
    states: Vec<usize>,
    /// True when every state is 0: a byte that can start neither a secret
    /// nor a cut is then passed over.
    idle: bool,
    /// The bytes that can: each secret's first, either case, and a cut's.
    opens: [bool; 256],
    /// The original start of the last view bytes, at their position masked
    /// by `mask` (room for the longest secret and a cut's three bytes).
    starts: Vec<usize>,
    mask: usize,
    position: usize,
    /// The states before the last byte that may open a cut, its position,
    /// and how many bytes of the cut have been seen since.
    cut_states: Vec<usize>,
    cut_at: usize,
    cut_seen: usize,
    found: Vec<Range<usize>>,
}

impl<'a> Finder<'a> {
    fn new(patterns: &'a [Pattern]) -> Finder<'a> {
        let longest = patterns.iter().map(|p| p.folded.len()).max().unwrap_or(0);
        let room = (longest + CUT.len()).next_power_of_two();
        let mut opens = [false; 256];
        opens[usize::from(CUT[0])] = true;
        for byte in 0..=u8::MAX {
            if patterns
                .iter()
                .any(|p| p.folded.first() == Some(&fold(byte)))
            {
                opens[usize::from(byte)] = true;
            }
        }
        Finder {
            patterns,
            states: vec![0; patterns.len()],
            idle: true,
            opens,
            starts: vec![0; room],
            mask: room - 1,
            position: 0,
            cut_states: vec![0; patterns.len()],
            cut_at: 0,
            cut_seen: 0,
            found: Vec::new(),
        }
    }

    /// Follows a cut (`…`) being read; once whole, the beginning of a
    /// secret just before it is found too.
    fn watch_cut(&mut self, byte: u8) {
        self.cut_seen = match byte {
            _ if byte == CUT[self.cut_seen] => self.cut_seen + 1,
            _ if byte == CUT[0] => 1,
            _ => 0,
        };
        if self.cut_seen == 1 {
            self.cut_states.copy_from_slice(&self.states);
            self.cut_at = self.position;
        }
        if self.cut_seen == CUT.len() {
            self.cut_seen = 0;
            let end = self.starts[self.cut_at & self.mask];
            for &state in &self.cut_states {
                if state >= MIN_CUT_PREFIX {
                    let start = self.starts[(self.cut_at - state) & self.mask];
                    self.found.push(start..end);
                }
            }
        }
    }

    /// Steps every secret's search over `unit`.
    fn step(&mut self, unit: Unit) {
        self.starts[self.position & self.mask] = unit.start;
        self.watch_cut(unit.byte);
        let byte = fold(unit.byte);
        let mut idle = true;
        for (pattern, state) in self.patterns.iter().zip(self.states.iter_mut()) {
            *state = pattern.step(*state, byte);
            if *state == pattern.folded.len() {
                let first = self.position + 1 - *state;
                self.found.push(self.starts[first & self.mask]..unit.end);
            }
            idle &= *state == 0;
        }
        self.idle = idle;
        self.position += 1;
    }
}

impl Sink for Finder<'_> {
    /// Most bytes: no secret under way, and none starts here. Such bytes
    /// are not counted either: a secret's or a cut's bytes are all stepped
    /// over, so looking back from one never reaches past them.
    fn inert(&self, byte: u8) -> bool {
        self.idle && self.cut_seen == 0 && !self.opens[usize::from(byte)]
    }

    fn push(&mut self, unit: Unit) {
        if !self.inert(unit.byte) {
            self.step(unit);
        }
    }

    fn finish(&mut self) {
        self.states.iter_mut().for_each(|state| *state = 0);
        self.idle = true;
        self.position = 0;
        self.cut_seen = 0;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// An OAuth-like token: `/`, `+` and `=` in it.
    const TOKEN: &str = "xoxp-7Kd/Qw+Zr9=Mv2/Lp+Xs4==";

    fn scrub(secrets: &[&str], text: &str) -> String {
        Secrets::new(secrets).scrub(text).into_owned()
    }

    #[test]
    fn every_echoed_form_of_a_token_is_replaced() {
        for echo in [
            TOKEN,
            r"xoxp-7Kd\/Qw+Zr9=Mv2\/Lp+Xs4==",
            r"\u0078oxp-7Kd\u002fQw\u002BZr9\u003dMv2\/Lp+Xs4\u003D\u003d",
            "xoxp-7Kd%2FQw%2BZr9%3DMv2%2FLp%2BXs4%3D%3D",
            "xoxp-7Kd%2fQw%2bZr9%3dMv2%2fLp%2bXs4%3d%3d",
            "%78%6F%78%70%2D%37%4B%64%2F%51%77%2B%5A%72%39%3D%4D%76%32%2F%4C%70%2B%58%73%34%3D%3D",
            "XOXP-7KD/QW+ZR9=MV2/LP+XS4==",
            "xoxp-7kd/qw+zr9=mv2/lp+xs4==",
            // Mixed: upper case, JSON-escaped, percent-encoded, in one echo.
            r"XOXP-7kd\/Qw%2bZR9\u003dMv2%2FLp+xs4%3d\u003D",
            // Percent-encoded inside JSON, with the `%` itself escaped.
            r"xoxp-7Kd\u0025\u0032FQw+Zr9=Mv2/Lp+Xs4==",
            // JSON in a query string: `%5C%2F` is `\/`.
            "xoxp-7Kd%5C%2FQw%2BZr9%3DMv2%5C/Lp+Xs4%3D%3D",
        ] {
            let text = format!("before {echo} after");
            assert_eq!(scrub(&[TOKEN], &text), "before [redacted] after", "{echo}");
        }
    }

    #[test]
    fn a_bearer_header_echoed_form_encoded_is_replaced_whole() {
        let secrets = [format!("Bearer {TOKEN}"), TOKEN.to_owned()];
        let secrets = Secrets::new(&secrets);
        for echo in [
            "Bearer%20xoxp-7Kd%2FQw%2BZr9%3DMv2%2FLp%2BXs4%3D%3D",
            "Bearer+xoxp-7Kd%2FQw%2BZr9%3DMv2%2FLp%2BXs4%3D%3D",
            "authorization=bearer+XOXP-7KD%2fQW%2bZR9%3dMV2%2fLP%2bXS4%3d%3d&x=1",
        ] {
            let scrubbed = secrets.scrub(echo);
            assert!(!scrubbed.to_ascii_lowercase().contains("7kd"), "{scrubbed}");
            assert!(
                !scrubbed.to_ascii_lowercase().contains("bearer"),
                "{scrubbed}"
            );
        }
    }

    #[test]
    fn a_secret_holding_escapes_is_found_as_is_and_encoded() {
        let secret = r#"p%41ss\n"word"#;
        for echo in [
            secret.to_owned(),
            // JSON: `\` and `"` escaped.
            r#"p%41ss\\n\"word"#.to_owned(),
            // Percent: `%`, `\` and `"` encoded.
            "p%2541ss%5Cn%22word".to_owned(),
        ] {
            assert_eq!(scrub(&[secret], &format!("<{echo}>")), "<[redacted]>");
        }
    }

    #[test]
    fn non_ascii_secrets_are_found_escaped_and_encoded() {
        let secret = "pässwörd-😀";
        for echo in [
            secret,
            r"p\u00e4ssw\u00F6rd-\ud83d\ude00",
            "p%C3%A4ssw%c3%b6rd-%F0%9F%98%80",
            "PäSSWöRD-😀",
        ] {
            assert_eq!(scrub(&[secret], &format!("é{echo}é")), "é[redacted]é");
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_scrubbed_around() {
        let mut body = b"caf\xe9 xoxp-7Kd%2FQw+Zr9=Mv2/Lp+Xs4== \xff".to_vec();
        Secrets::new([TOKEN]).scrub_bytes(&mut body);
        assert_eq!(body, b"caf\xe9 [redacted] \xff");
    }

    #[test]
    fn the_beginning_of_a_secret_cut_short_is_replaced() {
        let secrets = Secrets::new([TOKEN]);
        assert_eq!(
            secrets.scrub("found \"xoxp-7Kd\\/Q…"),
            "found \"[redacted]…"
        );
        assert_eq!(
            secrets.scrub("cursor \"XOXP-7…\" (80 bytes)"),
            "cursor \"[redacted]…\" (80 bytes)"
        );
        // Three bytes are no secret, and ordinary text before a cut stays.
        assert_eq!(secrets.scrub("xox… and words…"), "xox… and words…");
    }

    #[test]
    fn short_values_and_near_misses_are_left_alone() {
        let secrets = Secrets::new(["short", TOKEN]);
        let text = "short xoxp-7Kd/Qw+Zr9=Mv2/Lp+Xs4= xoxp-7Kd%2GQw xoxp-7Kd\\xQw \\u12";
        assert_eq!(secrets.scrub(text), text);
        assert!(matches!(secrets.scrub(text), Cow::Borrowed(_)));
        assert!(Secrets::new(["short"]).is_empty());
    }

    #[test]
    fn overlapping_and_repeated_occurrences_are_each_replaced() {
        let secrets = Secrets::new(["abcabc", "cabcab"]);
        assert_eq!(secrets.scrub("xabcabcabcx"), "x[redacted]x");
        assert_eq!(secrets.scrub("abcabc abcabc"), "[redacted] [redacted]");
    }

    #[test]
    fn a_header_named_after_a_secret_is_dropped_and_a_value_holding_one_is_scrubbed() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-xoxp-7kd%2fqw+zr9%3dmv2%2flp+xs4%3d%3d",
            "1".parse().unwrap(),
        );
        headers.insert(
            "x-echo",
            "Bearer xoxp-7Kd%2FQw+Zr9=Mv2/Lp+Xs4==".parse().unwrap(),
        );
        headers.insert("x-other", "kept".parse().unwrap());
        Secrets::new([TOKEN]).scrub_headers(&mut headers);
        assert_eq!(headers.len(), 2);
        assert_eq!(headers["x-echo"], "Bearer [redacted]");
        assert!(headers["x-echo"].is_sensitive());
        assert_eq!(headers["x-other"], "kept");
    }

    #[test]
    fn debug_never_shows_a_value() {
        let shown = format!("{:?}", Secrets::new([TOKEN]));
        assert_eq!(shown, "Secrets(1 values, [redacted])");
    }

    /// How each character of a text is written in an echo.
    #[derive(Clone, Copy, Debug)]
    enum Form {
        Exact,
        Json,
        JsonUnicode,
        PercentLower,
        PercentUpper,
        /// Percent-encoded, then the result JSON-escaped (`\u0025` too).
        PercentInJson,
        /// JSON-escaped, then the result percent-encoded.
        JsonInPercent,
    }

    /// `text` JSON-escaped: `"`, `\\` and controls always, every other
    /// character too when `all`; as `\uXXXX` when `unicode`, else `/` as `\/`.
    fn json(text: &str, all: bool, unicode: bool) -> String {
        let mut out = String::new();
        for c in text.chars() {
            let must = matches!(c, '"' | '\\') || c.is_control();
            match c {
                _ if !(must || all) => out.push(c),
                '/' | '"' | '\\' if !unicode => {
                    out.push('\\');
                    out.push(c);
                }
                _ if unicode || c.is_control() => {
                    for unit in c.encode_utf16(&mut [0; 2]) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
                _ => out.push(c),
            }
        }
        out
    }

    /// `text` percent-encoded: `%` always, every other byte too when `all`.
    fn percent(text: &str, all: bool, upper: bool) -> String {
        let mut out = String::new();
        for c in text.chars() {
            if !(all || c == '%') {
                out.push(c);
                continue;
            }
            for b in c.to_string().bytes() {
                out.push_str(&match upper {
                    true => format!("%{b:02X}"),
                    false => format!("%{b:02x}"),
                });
            }
        }
        out
    }

    /// `c` written in `form`: encoded when it must be, or when `encode`;
    /// `pick` chooses between a form's variants.
    fn written(c: char, form: Form, encode: bool, pick: bool) -> String {
        let plain = c.to_string();
        match form {
            Form::Exact => plain,
            Form::Json => json(&plain, encode, false),
            Form::JsonUnicode => json(&plain, encode, pick),
            Form::PercentLower => percent(&plain, encode, false),
            Form::PercentUpper => percent(&plain, encode, true),
            Form::PercentInJson => json(&percent(&plain, encode, pick), encode, pick),
            Form::JsonInPercent => percent(&json(&plain, encode, pick), encode, pick),
        }
    }

    /// `text` as a server writing `form` echoes it: each character encoded
    /// where `encode` says (and wherever the form must), in a variant
    /// `pick` chooses, its ASCII case changed where `case` says.
    fn echoed(text: &str, form: Form, encode: &[bool], pick: &[bool], case: &[bool]) -> String {
        let at = |flags: &[bool], i: usize| flags.get(i).copied().unwrap_or(false);
        text.chars()
            .enumerate()
            .map(|(i, c)| {
                let c = match at(case, i) {
                    true if c.is_ascii_lowercase() => c.to_ascii_uppercase(),
                    true => c.to_ascii_lowercase(),
                    false => c,
                };
                written(c, form, at(encode, i), at(pick, i))
            })
            .collect()
    }

    fn forms() -> impl Strategy<Value = Form> {
        prop_oneof![
            Just(Form::Exact),
            Just(Form::Json),
            Just(Form::JsonUnicode),
            Just(Form::PercentLower),
            Just(Form::PercentUpper),
            Just(Form::PercentInJson),
            Just(Form::JsonInPercent),
        ]
    }

    /// A secret: an alphanumeric, then token characters, reserved ones,
    /// escape-like ones and some beyond ASCII.
    fn secrets() -> impl Strategy<Value = String> {
        ("[a-zA-Z0-9]", "[a-zA-Z0-9/+=._~%\\\\\" é😀-]{5,40}").prop_map(|(a, b)| a + &b)
    }

    /// Text around a secret: no letters or digits, so it cannot hold one.
    fn surroundings() -> impl Strategy<Value = String> {
        "[ /+=._~%\\\\\"{}:,<>\n\té日😀-]{0,40}"
    }

    /// True when `scrubbed` is `before`, the marker and `after`, except that
    /// the marker may also cover an escape begun in `before` or ended in
    /// `after` (which a decoding view reads across the secret's edge).
    fn untouched_around(scrubbed: &str, before: &str, echo: &str, after: &str) -> bool {
        let escapes = |text: &[u8]| text.iter().any(|b| matches!(b, b'\\' | b'%'));
        let (before, after) = (before.as_bytes(), after.as_bytes());
        let scrubbed = scrubbed.as_bytes();
        let Some(at) = scrubbed
            .windows(REDACTED.len())
            .position(|w| w == REDACTED.as_bytes())
        else {
            return false;
        };
        let (kept_before, kept_after) = (&scrubbed[..at], &scrubbed[at + REDACTED.len()..]);
        let taken_before = &before[kept_before.len().min(before.len())..];
        let taken_after = &after[..after.len() - kept_after.len().min(after.len())];
        let echo_tail = &echo.as_bytes()[echo.len().saturating_sub(LONGEST_ESCAPE)..];
        before.starts_with(kept_before)
            && after.ends_with(kept_after)
            && taken_before.len() < LONGEST_ESCAPE
            && taken_after.len() < LONGEST_ESCAPE
            && (taken_before.is_empty() || escapes(taken_before))
            && (taken_after.is_empty() || escapes(echo_tail) || escapes(taken_after))
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 2000,
            // Kept with the other tests' seeds, not in a folder at the top.
            failure_persistence: Some(Box::new(
                proptest::test_runner::FileFailurePersistence::Direct("tests/secrets_scrubber.proptest-regressions"),
            )),
            ..ProptestConfig::default()
        })]

        /// A secret in any form, in text written in the same form: gone, in
        /// every form, and the text around it left as it was.
        #[test]
        fn a_secret_in_any_form_is_replaced_and_nothing_else(
            secret in secrets(),
            before in surroundings(),
            after in surroundings(),
            form in forms(),
            encode in proptest::collection::vec(any::<bool>(), 50),
            pick in proptest::collection::vec(any::<bool>(), 50),
            case in proptest::collection::vec(any::<bool>(), 50),
        ) {
            let around = |text: &str| echoed(text, form, &[], &[], &[]);
            let echo = echoed(&secret, form, &encode, &pick, &case);
            let text = format!("{}{echo}{}", around(&before), around(&after));
            let scrubbed = Secrets::new([&secret]).scrub(&text).into_owned();
            prop_assert!(
                untouched_around(&scrubbed, &around(&before), &echo, &around(&after)),
                "{:?} for {:?}", scrubbed, text
            );
            let folded = scrubbed.to_ascii_lowercase();
            let secret = secret.to_ascii_lowercase();
            for shown in [secret.clone(), json(&secret, false, false), percent(&secret, true, false)] {
                prop_assert!(!folded.contains(&shown), "{} in {}", shown, scrubbed);
            }
        }

    }

    proptest! {
        #![proptest_config(ProptestConfig {
            failure_persistence: Some(Box::new(
                proptest::test_runner::FileFailurePersistence::Direct("tests/secrets_scrubber.proptest-regressions"),
            )),
            ..ProptestConfig::default()
        })]
        /// A quote cut short inside a secret (4 bytes in or more) shows none
        /// of it, and the text before it is left as it was.
        #[test]
        fn a_secret_cut_short_shows_nothing_of_it(
            secret in secrets(),
            before in surroundings(),
            cut in MIN_CUT_PREFIX..60usize,
        ) {
            let cut = (cut..secret.len()).find(|&at| secret.is_char_boundary(at));
            let shown = &secret[..cut.unwrap_or(secret.len())];
            let text = format!("{before}{shown}… (80 bytes)");
            let scrubbed = Secrets::new([&secret]).scrub(&text).into_owned();
            prop_assert_eq!(scrubbed, format!("{before}{REDACTED}… (80 bytes)"));
        }

        /// Any text with no secret in it comes back unchanged, and borrowed.
        #[test]
        fn text_without_a_secret_is_left_alone(
            text in prop_oneof!["\\PC{0,200}", "[\\\\%uUdD0-9a-fA-F\"/+ é😀]{0,200}"],
            secret in secrets(),
        ) {
            let secret = format!("{secret}{}", "q".repeat(201));
            let secrets = Secrets::new([&secret]);
            prop_assert!(matches!(secrets.scrub(&text), Cow::Borrowed(t) if t == text));
        }
    }
}
