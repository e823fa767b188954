//! concise: `path:line:col: severity: message [rule]`, one line per finding, the shape
//! VS Code's `$gcc` problem matcher and vim's default errorformat parse. Line and column
//! are 1-based, the column in characters.

use std::io::{self, Write};

use super::{Report, summary_line};

pub(crate) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        let l = &d.location;
        writeln!(
            out,
            "{}:{}:{}: {}: {} [{}]",
            l.path,
            l.line,
            l.column,
            d.severity,
            one_line(&d.message),
            d.rule
        )?;
    }
    if !report.quiet {
        writeln!(out, "{}", summary_line(report))?;
    }
    Ok(())
}

/// A line break inside a message would start a line that parses as garbage.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{Format, Severity};

    #[test]
    fn one_line_per_finding_then_summary() {
        let mut f = Fixture::new();
        let mut note = f.diagnostics[0].clone();
        note.severity = Severity::Note;
        note.message = "two\nlines".into();
        f.diagnostics.push(note);
        assert_eq!(
            render(Format::Concise, &f.report()),
            "dir/a b.yaml:2:12: error: Bad, bad: name. [demo-rule]\n\
             dir/a b.yaml:2:12: note: two lines [demo-rule]\n\
             1 error, 1 note in 1 app (1 file)\n"
        );
        let mut r = f.report();
        r.quiet = true;
        assert!(!render(Format::Concise, &r).contains("app"));
    }
}
