//! Diagnostics and attribute paths, and their protocol form.

use std::fmt;

use super::proto;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Attribute(String),
    Key(String),
    Index(i64),
}

/// Where in a configuration a diagnostic points, e.g. `network.upcloud.network_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttrPath(pub Vec<Step>);

impl AttrPath {
    pub fn root(name: &str) -> AttrPath {
        AttrPath(vec![Step::Attribute(name.to_string())])
    }

    pub fn attr(mut self, name: &str) -> AttrPath {
        self.0.push(Step::Attribute(name.to_string()));
        self
    }

    pub fn index(mut self, index: usize) -> AttrPath {
        self.0.push(Step::Index(index as i64));
        self
    }

    pub fn key(mut self, key: &str) -> AttrPath {
        self.0.push(Step::Key(key.to_string()));
        self
    }

    /// `a.b.c` for attribute-only paths.
    pub fn parse_dotted(dotted: &str) -> AttrPath {
        AttrPath(dotted.split('.').map(|s| Step::Attribute(s.to_string())).collect())
    }

    pub fn to_proto(&self) -> proto::AttributePath {
        use proto::attribute_path::step::Selector;
        proto::AttributePath {
            steps: self
                .0
                .iter()
                .map(|step| proto::attribute_path::Step {
                    selector: Some(match step {
                        Step::Attribute(a) => Selector::AttributeName(a.clone()),
                        Step::Key(k) => Selector::ElementKeyString(k.clone()),
                        Step::Index(i) => Selector::ElementKeyInt(*i),
                    }),
                })
                .collect(),
        }
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Attribute(a) if i == 0 => f.write_str(a)?,
                Step::Attribute(a) => write!(f, ".{a}")?,
                Step::Key(k) => write!(f, "[{k:?}]")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub path: Option<AttrPath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, summary: summary.into(), detail: detail.into(), path: None }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, summary: summary.into(), detail: detail.into(), path: None }
    }

    pub fn at(mut self, path: AttrPath) -> Diagnostic {
        self.path = Some(path);
        self
    }

    pub fn to_proto(&self) -> proto::Diagnostic {
        proto::Diagnostic {
            severity: match self.severity {
                Severity::Error => proto::diagnostic::Severity::Error,
                Severity::Warning => proto::diagnostic::Severity::Warning,
            } as i32,
            summary: terminal_safe(&self.summary, MAX_SUMMARY),
            detail: terminal_safe(&self.detail, MAX_DETAIL),
            attribute: self.path.as_ref().map(AttrPath::to_proto),
        }
    }
}

/// The longest summary and detail Terraform is given: a cloud's error text can be megabytes.
const MAX_SUMMARY: usize = 200;
const MAX_DETAIL: usize = 8000;

/// Bidirectional controls, which reorder what a terminal shows (U+202E and its kin).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text as it may reach a terminal: every diagnostic passes here on its way to Terraform, so text a
/// cloud wrote (error codes and messages, names) cannot move the cursor, clear the screen, retitle
/// the window or reorder a line. Control and bidirectional characters other than a line feed are
/// written as `\u{…}`, and the text is cut to `max` characters, saying so.
pub fn terminal_safe(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max + 32));
    for (shown, c) in text.chars().enumerate() {
        if shown == max {
            let left = text.chars().count() - max;
            out.push_str(&format!("… ({left} more characters not shown)"));
            break;
        }
        if (c.is_control() && c != '\n') || is_bidi_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Diagnostics gathered while answering one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn to_proto(&self) -> Vec<proto::Diagnostic> {
        self.0.iter().map(Diagnostic::to_proto).collect()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_text_cannot_drive_the_terminal() {
        let hostile = "\u{1b}]0;title\u{7}\u{1b}[2J\u{1b}[31mred\rFAKE\u{0}\u{202e}evil\nnext";
        let safe = terminal_safe(hostile, 1000);
        assert!(!safe.chars().any(|c| (c.is_control() && c != '\n') || is_bidi_control(c)), "{safe}");
        assert!(safe.contains("\\u{1b}[2J") && safe.contains("\\u{202e}evil\nnext"), "{safe}");
        let huge = "x".repeat(20_000_000);
        let cut = terminal_safe(&huge, 8000);
        assert!(cut.len() < 8100 && cut.ends_with("(19992000 more characters not shown)"), "{}", &cut[7990..]);
    }
}
