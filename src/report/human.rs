//! human: rustc-style snippets rendered by miette's graphical handler, then the summary.
//!
//! Each finding shows `severity[rule]`, the message, the offending lines with the primary
//! label (the rule's summary) and labels on related locations in the same file; related
//! locations in other files follow as their own snippets. Secret values are masked by
//! [`Snippet`] before miette sees the text.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode, SourceSpan};

use super::snippet::Snippet;
use super::{Report, summary_line};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::source::FileId;

pub(crate) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let theme = if report.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Fixed width and no hyperlinks: output must not depend on the terminal it runs in.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(120)
        .without_syntax_highlighting()
        .with_show_related_as_nested(true);
    let snippets = snippets(report);
    if let (Some(release), false) = (&report.summary.release, report.quiet) {
        writeln!(out, "synclint: {}\n", release.description)?;
    }
    for (i, d) in report.diagnostics.iter().enumerate() {
        let finding = Finding::new(d, report, &snippets);
        let mut text = String::new();
        // fmt::Error carries no detail; miette only returns it when a sink fails.
        handler
            .render_report(&mut text, &finding)
            .map_err(io::Error::other)?;
        // A blank line between findings, none after the last (so `-q` output ends there).
        let separator = if i == 0 { "" } else { "\n" };
        writeln!(out, "{separator}{}", text.trim_end())?;
    }
    if !report.quiet {
        let separator = if report.diagnostics.is_empty() {
            ""
        } else {
            "\n"
        };
        writeln!(out, "{separator}{}", summary_line(report))?;
    }
    Ok(())
}

/// One masked source per file that any finding points into, shared by all findings.
fn snippets<'a>(report: &Report<'a>) -> BTreeMap<FileId, Snippet<'a>> {
    let mut map = BTreeMap::new();
    let files = report
        .diagnostics
        .iter()
        .flat_map(|d| std::iter::once(&d.location).chain(d.related.iter().map(|r| &r.location)));
    for location in files {
        let id = location.span.file;
        if (id.0 as usize) < report.sources.len() {
            map.entry(id)
                .or_insert_with(|| Snippet::new(report.sources.get(id), report.redactions));
        }
    }
    map
}

fn source_span(location: &Location) -> SourceSpan {
    let span = location.span;
    SourceSpan::new(
        (span.start as usize).into(),
        span.end.saturating_sub(span.start) as usize,
    )
}

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

/// A diagnostic as miette sees it.
struct Finding<'a> {
    d: &'a Diagnostic,
    code: String,
    source: Option<&'a Snippet<'a>>,
    labels: Vec<LabeledSpan>,
    elsewhere: Vec<Elsewhere<'a>>,
}

impl<'a> Finding<'a> {
    fn new(
        d: &'a Diagnostic,
        report: &Report,
        snippets: &'a BTreeMap<FileId, Snippet<'a>>,
    ) -> Self {
        let file = d.location.span.file;
        let summary = report
            .rules
            .iter()
            .find(|r| r.id == d.rule)
            .map(|r| r.summary());
        let primary = match (&d.label, summary) {
            (Some(label), _) => label.clone(),
            (None, Some(s)) if !s.is_empty() => s.to_string(),
            _ => d.rule.to_string(),
        };
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(primary),
            source_span(&d.location),
        )];
        let mut elsewhere = Vec::new();
        for r in &d.related {
            if r.location.span.file == file {
                labels.push(LabeledSpan::new_with_span(
                    Some(r.label.clone()),
                    source_span(&r.location),
                ));
            } else {
                elsewhere.push(Elsewhere {
                    label: r.label.clone(),
                    span: source_span(&r.location),
                    source: snippets.get(&r.location.span.file),
                });
            }
        }
        Finding {
            d,
            code: format!("{}[{}]", d.severity, d.rule),
            source: snippets.get(&file),
            labels,
            elsewhere,
        }
    }
}

impl fmt::Debug for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Finding")
            .field("diagnostic", self.d)
            .finish()
    }
}

impl fmt::Display for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Finding<'_> {}

impl miette::Diagnostic for Finding<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.d.severity))
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.elsewhere.is_empty() {
            return None;
        }
        Some(Box::new(
            self.elsewhere.iter().map(|e| e as &dyn miette::Diagnostic),
        ))
    }
}

/// A related location in another file, rendered as a note with its own snippet.
struct Elsewhere<'a> {
    label: String,
    span: SourceSpan,
    source: Option<&'a Snippet<'a>>,
}

impl fmt::Debug for Elsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Elsewhere")
            .field("label", &self.label)
            .finish()
    }
}

impl fmt::Display for Elsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

impl std::error::Error for Elsewhere<'_> {}

impl miette::Diagnostic for Elsewhere<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        // Without its own source miette would read the span from the parent's file.
        Some(
            self.source
                .map_or(&"" as &dyn SourceCode, |s| s as &dyn SourceCode),
        )
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        // The label is already the note's message; repeating it under the span is noise.
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            None, self.span,
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::super::testutil::*;

    #[test]
    fn prints_snippet_labels_help_and_summary() {
        let f = Fixture::new();
        let out = render(Format::Human, &f.report());
        println!("{out}");
        assert!(out.starts_with("error[demo-rule]\n"));
        assert!(out.contains("× Bad, bad: name."));
        assert!(out.contains("[dir/a b.yaml:2:12]"));
        assert!(out.contains("name: café migrate"));
        assert!(out.contains("demo summary"));
        assert!(out.contains("the kind"));
        assert!(out.contains("help: Rename it."));
        assert!(out.ends_with("\n\n1 error in 1 app (1 file)\n"));
        assert!(!out.contains('\x1b'));
    }

    #[test]
    fn empty_file_and_end_of_file_spans_render() {
        use crate::diagnostic::{Diagnostic, Location, Severity};
        use crate::source::Span;
        let mut f = Fixture::new();
        let empty = f.sources.add("empty.yaml".into(), "".into());
        let last = f.sources.add("last.yaml".into(), "a: 1\n".into());
        for span in [Span::new(empty, 0, 0), Span::new(last, 5, 5)] {
            let at = Location::resolve(&f.sources, span);
            f.diagnostics.push(Diagnostic::new(
                "yaml-syntax",
                Severity::Error,
                "Odd.".into(),
                at,
            ));
        }
        let out = render(Format::Human, &f.report());
        assert_eq!(out.matches("× Odd.").count(), 2, "{out}");
        assert!(!out.contains("Failed to read"), "{out}");
    }
}
