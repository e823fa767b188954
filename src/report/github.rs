//! github: GitHub Actions workflow commands, which the runner turns into annotations on
//! the pull request:
//! `::error file=PATH,line=L,col=C,endLine=L,endColumn=C,title=RULE::MESSAGE`.
//! Columns are in characters. Escaping follows the runner's `CommandEscape`: data escapes
//! `%`, CR and LF; property values also escape `:` and `,`.

use std::io::{self, Write};

use super::{Report, summary_line};
use crate::diagnostic::Severity;

pub(crate) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let l = &d.location;
        let mut message = d.message.clone();
        if let Some(help) = d.help.as_deref().filter(|h| !h.is_empty()) {
            message.push('\n');
            message.push_str(help);
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&l.path),
            l.line,
            l.column,
            l.end_line,
            l.end_column,
            escape_property(d.rule),
            escape_data(&message)
        )?;
    }
    // A plain log line: the runner shows it without making an annotation of it.
    if !report.quiet {
        writeln!(out, "{}", summary_line(report))?;
    }
    Ok(())
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50%\r\nok: a,b"), "50%25%0D%0Aok: a,b");
        assert_eq!(escape_property("c:/a,b%"), "c%3A/a%2Cb%25");
    }

    #[test]
    fn annotation_lines() {
        let mut f = Fixture::new();
        f.diagnostics[0].location.path = "dir/a,b:c.yaml".into();
        let mut r = f.report();
        r.quiet = true;
        assert_eq!(
            render(Format::Github, &r),
            "::error file=dir/a%2Cb%3Ac.yaml,line=2,col=12,endLine=2,endColumn=19,\
             title=demo-rule::Bad, bad: name.%0ARename it.\n"
        );
    }
}
