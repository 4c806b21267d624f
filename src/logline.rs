//! The human-readable log line: `2026-12-01T04:50:39.703456Z  INFO message key=value`.
//!
//! The same shape as tracing-subscriber's default, written for the cost of a
//! line per request: the date and time are formatted once a second per
//! thread, and the message is escaped only when it holds a control
//! character (a request can carry ESC sequences into a violation message;
//! they must not reach a terminal). With the default formatter a request's
//! log line cost about as much as validating it (bench/callgrind).

use std::fmt::{self, Write};
use std::time::SystemTime;

use crate::clock::write_time;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The text formatter (`--log-format text`, the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct TextLine {
    /// Colour the level (only when stderr is a terminal).
    pub ansi: bool,
}

impl<S, N> FormatEvent<S, N> for TextLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write_time(&mut writer, SystemTime::now())?;
        let level = *event.metadata().level();
        let (name, colour) = match level {
            Level::ERROR => ("ERROR", "31"),
            Level::WARN => (" WARN", "33"),
            Level::INFO => (" INFO", "32"),
            Level::DEBUG => ("DEBUG", "34"),
            Level::TRACE => ("TRACE", "35"),
        };
        if self.ansi {
            write!(writer, " \x1b[{colour}m{name}\x1b[0m ")?;
        } else {
            writer.write_char(' ')?;
            writer.write_str(name)?;
            writer.write_char(' ')?;
        }
        let mut fields = Fields {
            out: Escaping(&mut writer),
            first: true,
            only_message: event.metadata().target() == REQUEST_TARGET,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        writer.write_char('\n')
    }
}

/// The target of the per-request line. Its fields (method, path, status,
/// ...) are for `--log-format json`; its message already says all of them.
pub const REQUEST_TARGET: &str = "specmock::request";

/// Writes the message bare and other fields as ` key=value`.
struct Fields<'w, W: Write> {
    out: Escaping<'w, W>,
    first: bool,
    /// Print the message alone (the request line).
    only_message: bool,
    result: fmt::Result,
}

impl<W: Write> Fields<'_, W> {
    fn skip(&self, field: &Field) -> bool {
        self.result.is_err() || self.only_message && field.name() != "message"
    }

    fn separator(&mut self, field: &Field) -> fmt::Result {
        if !std::mem::take(&mut self.first) {
            self.out.0.write_char(' ')?;
        }
        if field.name() != "message" {
            self.out.0.write_str(field.name())?;
            self.out.0.write_char('=')?;
        }
        Ok(())
    }
}

impl<W: Write> Visit for Fields<'_, W> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.skip(field) {
            self.result = self
                .separator(field)
                .and_then(|()| self.out.write_str(value));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if !self.skip(field) {
            self.result = self
                .separator(field)
                .and_then(|()| write!(self.out, "{value:?}"));
        }
    }
}

/// Passes text through, writing control characters as `\u{1b}`-style escapes.
struct Escaping<'w, W: Write>(&'w mut W);

impl<W: Write> Write for Escaping<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // A fold, not `any`: no early exit, so the check is vectorised;
        // nearly every line has nothing to escape.
        let control = s
            .bytes()
            .fold(false, |found, b| found | (b < 0x20) | (b == 0x7f));
        if !control {
            return self.0.write_str(s);
        }
        for c in s.chars() {
            if c.is_control() {
                write!(self.0, "{}", c.escape_default())?;
            } else {
                self.0.write_char(c)?;
            }
        }
        Ok(())
    }
}

/// One line per request, from the redacted entry; violations in full.
pub fn log_exchange(e: &crate::journal::JournalEntry) {
    if !e.response_violations.is_empty() {
        let list: Vec<String> = e
            .response_violations
            .iter()
            .map(|v| v.to_string())
            .collect();
        tracing::warn!(
            target: "specmock::record",
            "{} {}: the upstream's answer broke the contract ({} violation(s)): {}",
            e.method,
            e.path(),
            list.len(),
            list.join("; ")
        );
    }
    let op = e.operation.as_deref().unwrap_or("-");
    if e.violations.is_empty() && e.warnings.is_empty() {
        if !tracing::enabled!(target: "specmock::request", tracing::Level::INFO) {
            return;
        }
        // Built by hand and passed as one string: the line costs a third of
        // what the same format arguments cost (bench/callgrind).
        let mut line = String::with_capacity(64 + e.path().len() + op.len());
        for part in [e.method.as_str(), " ", e.path(), " -> "] {
            line.push_str(part);
        }
        line.push_str(itoa::Buffer::new().format(e.status));
        line.push(' ');
        line.push_str(op);
        line.push_str(" (");
        line.push_str(itoa::Buffer::new().format(e.duration_us));
        line.push_str(" us)");
        if let Some(c) = &e.chaos {
            line.push_str(" chaos: ");
            line.push_str(c);
        }
        if e.forwarded {
            line.push_str(" forwarded to the real API");
        }
        // The fields are for `--log-format json`; the text line prints only
        // the message (logline::TextLine), so it costs no formatting.
        tracing::info!(
            target: "specmock::request",
            message = line.as_str(),
            method = e.method.as_str(),
            path = e.path(),
            status = e.status,
            operation = op,
            duration_us = e.duration_us,
            violations = "[]",
            warnings = "[]",
        );
    } else {
        let list: Vec<String> = e.violations.iter().map(|v| v.to_string()).collect();
        let warn: Vec<String> = e.warnings.iter().map(|v| v.to_string()).collect();
        // Tracing fields are flat: the lists go in as compact JSON text.
        let as_json = |v: &[crate::validate::Violation]| {
            serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
        };
        tracing::info!(
            target: "specmock::request",
            method = e.method.as_str(),
            path = e.path(),
            status = e.status,
            operation = op,
            duration_us = e.duration_us,
            violations = as_json(&e.violations).as_str(),
            warnings = as_json(&e.warnings).as_str(),
            "{} {} -> {} {} ({} us) {} violation(s){}{}{}",
            e.method,
            e.path(),
            e.status,
            op,
            e.duration_us,
            list.len(),
            if list.is_empty() { String::new() } else { format!(": {}", list.join("; ")) },
            if warn.is_empty() { "" } else { "; warnings: " },
            warn.join("; ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a subscriber writes, for reading back in a test.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn entry(violations: usize) -> crate::journal::JournalEntry {
        use crate::validate::{Violation, ViolationKind};
        let mut e: crate::journal::JournalEntry = serde_json::from_value(serde_json::json!({
            "id": 1, "time": "2026-12-03T00:00:00.000Z", "method": "PUT",
            "path": "/api/admin/api-tokens/{token}", "headers": [],
            "operation": "unleash/update-api-token",
            "path_params": {"token": "<redacted>"},
            "status": if violations == 0 { 200 } else { 422 },
            "violations": [], "duration_us": 492
        }))
        .unwrap();
        e.violations = (0..violations)
            .map(|_| {
                Violation::new(
                    ViolationKind::Body,
                    "body/expiresAt",
                    "\"tomorrow\" is not a \"date-time\"",
                )
            })
            .collect();
        e
    }

    #[test]
    fn the_text_request_line_is_the_message_alone() {
        let out = Captured::default();
        let w = out.clone();
        let sub = tracing_subscriber::fmt()
            .with_writer(move || w.clone())
            .event_format(TextLine { ansi: false })
            .finish();
        tracing::subscriber::with_default(sub, || {
            log_exchange(&entry(0));
            log_exchange(&entry(1));
        });
        let text = out.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].ends_with(
                " INFO PUT /api/admin/api-tokens/{token} -> 200 unleash/update-api-token (492 us)"
            ),
            "{text}"
        );
        assert!(
            lines[1].ends_with(" INFO PUT /api/admin/api-tokens/{token} -> 422 unleash/update-api-token (492 us) 1 violation(s): body/expiresAt: \"tomorrow\" is not a \"date-time\""),
            "{text}"
        );
    }

    #[test]
    fn the_json_request_line_has_one_field_per_fact() {
        let out = Captured::default();
        let w = out.clone();
        // As cli.rs sets up `--log-format json`.
        let sub = tracing_subscriber::fmt()
            .with_writer(move || w.clone())
            .json()
            .with_target(true)
            .finish();
        tracing::subscriber::with_default(sub, || log_exchange(&entry(1)));
        let line: serde_json::Value = serde_json::from_str(out.text().trim()).unwrap();
        let f = &line["fields"];
        assert_eq!(f["method"], "PUT");
        assert_eq!(f["path"], "/api/admin/api-tokens/{token}");
        assert_eq!(f["status"], 422);
        assert_eq!(f["operation"], "unleash/update-api-token");
        assert_eq!(f["duration_us"], 492);
        let v: serde_json::Value = serde_json::from_str(f["violations"].as_str().unwrap()).unwrap();
        assert_eq!(v[0]["location"], "body/expiresAt");
        assert_eq!(line["target"], REQUEST_TARGET);
    }

    #[test]
    fn control_characters_are_escaped_and_plain_text_is_not() {
        let mut s = String::new();
        let word = "é";
        write!(Escaping(&mut s), "plain {word} text").unwrap();
        assert_eq!(s, "plain é text");
        s.clear();
        Escaping(&mut s).write_str("a\x1b[31mred\nb").unwrap();
        assert_eq!(s, "a\\u{1b}[31mred\\nb");
    }
}
