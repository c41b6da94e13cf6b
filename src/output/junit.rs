//! JUnit XML: the one writer behind `labrun check --format junit` and
//! `labrun test --junit`. quick-junit (nextest's) holds the model and
//! writes the XML; this module feeds it text made XML-safe, so what a
//! case says reaches the file whole: quick-junit would silently drop
//! tabs and escape sequences, which could join the halves of a secret
//! that redaction saw apart. Text arrives redacted already.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<'a> {
    Pass,
    /// The test ran and found a deviation: `message` in short (on one
    /// line: line breaks become spaces), `details` in full.
    Failure {
        message: &'a str,
        details: &'a str,
    },
    /// The test could not be carried out.
    Error {
        message: &'a str,
        details: &'a str,
    },
    /// The test cannot run here: `message` says why (`<skipped message=…>`).
    Skipped {
        message: &'a str,
    },
}

/// Suites of cases, as CI systems read them.
#[derive(Debug, Clone, Default)]
pub struct Junit {
    report: Option<Report>,
}

/// One suite in the making: its cases, with their times when measured.
#[derive(Debug, Clone)]
pub struct Suite(TestSuite);

impl Suite {
    pub fn new(name: &str) -> Suite {
        Suite(TestSuite::new(one_line(name)))
    }

    pub fn time(&mut self, time: Duration) -> &mut Suite {
        self.0.set_time(time);
        self
    }

    pub fn case(
        &mut self,
        classname: &str,
        name: &str,
        time: Option<Duration>,
        verdict: Verdict,
    ) -> &mut Suite {
        let status = match verdict {
            Verdict::Pass => TestCaseStatus::success(),
            Verdict::Failure { message, details } => {
                non_success(NonSuccessKind::Failure, message, details)
            }
            Verdict::Error { message, details } => {
                non_success(NonSuccessKind::Error, message, details)
            }
            Verdict::Skipped { message } => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(one_line(message));
                status
            }
        };
        let mut case = TestCase::new(one_line(name), status);
        case.set_classname(one_line(classname));
        if let Some(time) = time {
            case.set_time(time);
        }
        self.0.add_test_case(case);
        self
    }
}

fn non_success(kind: NonSuccessKind, message: &str, details: &str) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(kind);
    status.set_message(one_line(message));
    status.set_description(safe(details));
    status
}

impl Junit {
    pub fn suite(&mut self, suite: Suite) -> &mut Junit {
        self.report
            .get_or_insert_with(Report::unnamed)
            .add_test_suite(suite.0);
        self
    }

    /// The XML document, ending in a newline.
    pub fn to_xml(&self) -> String {
        let empty = Report::unnamed();
        let report = self.report.as_ref().unwrap_or(&empty);
        report
            .to_string()
            .expect("writing XML to memory cannot fail")
    }
}

/// Text as XML 1.0 may hold it and quick-junit keeps it: a tab becomes the
/// spaces a terminal shows for it; a control character other than a line
/// break, and a noncharacter XML forbids, becomes `�` (escape sequences
/// are not interpreted: their pieces stay visible).
pub fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut column = 0;
    for c in text.chars() {
        match c {
            '\n' => {
                out.push('\n');
                column = 0;
                continue;
            }
            '\t' => {
                let spaces = 8 - column % 8;
                out.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
                continue;
            }
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
        column += 1;
    }
    out
}

/// [`safe`] on one line, for an attribute (a parser would read a line
/// break there as a space).
fn one_line(text: &str) -> String {
    safe(text).replace('\n', " ")
}

/// Text as the writer puts it in the XML, in content or an attribute:
/// [`safe`], then escaped. The redactor looks for secrets in this shape.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in safe(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const AWKWARD: &str = "a<b>&\"c'\td\x1b[31me\r\x07f\u{9b}g\u{ffff}h\nnext\tline";

    fn sample() -> String {
        let mut suite = Suite::new("suite <1>");
        suite
            .case("lesson", "one", None, Verdict::Pass)
            .case(
                "lesson",
                AWKWARD,
                Some(Duration::from_millis(1500)),
                Verdict::Failure {
                    message: AWKWARD,
                    details: AWKWARD,
                },
            )
            .case(
                "lesson",
                "three",
                None,
                Verdict::Error {
                    message: "could not run",
                    details: "",
                },
            );
        let mut junit = Junit::default();
        junit.suite(suite);
        junit.to_xml()
    }

    #[test]
    fn text_is_kept_whole_and_escaped_as_xml_says() {
        assert_eq!(
            safe(AWKWARD),
            "a<b>&\"c'        d\u{fffd}[31me\u{fffd}\u{fffd}f\u{fffd}g\u{fffd}h\nnext    line"
        );
        assert_eq!(
            xml(AWKWARD),
            "a&lt;b&gt;&amp;&quot;c&apos;        d\u{fffd}[31me\u{fffd}\u{fffd}f\u{fffd}g\u{fffd}h\nnext    line"
        );
        // Nothing quick-junit would take out is left for it to take.
        assert_eq!(
            quick_junit::XmlString::new(safe(AWKWARD)).as_str(),
            safe(AWKWARD)
        );
        // The writer escapes exactly as `xml` does: the shape the redactor looks for.
        let written = sample();
        let attribute = xml(AWKWARD).replace('\n', " ");
        assert!(
            written.contains(&format!("name=\"{attribute}\"")),
            "{written}"
        );
        let failure = format!("message=\"{attribute}\">{}</failure>", xml(AWKWARD));
        assert!(written.contains(&failure), "{written}");
    }

    #[test]
    fn a_skipped_case_says_why() {
        let mut suite = Suite::new("broken-track");
        suite.case(
            "broken-track",
            "check-cluster",
            None,
            Verdict::Skipped {
                message: "needs host `cluster` (a VM),\nnot available here",
            },
        );
        let mut junit = Junit::default();
        junit.suite(suite);
        let xml = junit.to_xml();
        assert!(
            xml.contains("<skipped message=\"needs host `cluster` (a VM), not available here\"/>"),
            "{xml}"
        );
        let report = Report::deserialize_from_str(&xml).unwrap();
        assert_eq!((report.tests, report.failures, report.errors), (1, 0, 0));
        assert!(matches!(
            report.test_suites[0].test_cases[0].status,
            TestCaseStatus::Skipped { .. }
        ));
    }

    #[test]
    fn the_document_reads_back_as_written() {
        let report = Report::deserialize_from_str(&sample()).unwrap();
        assert_eq!((report.tests, report.failures, report.errors), (3, 1, 1));
        let suite = &report.test_suites[0];
        assert_eq!(suite.name.as_str(), "suite <1>");
        let case = &suite.test_cases[1];
        let line = one_line(AWKWARD);
        assert_eq!(case.name.as_str(), line);
        assert_eq!(case.classname.as_deref(), Some("lesson"));
        assert_eq!(case.time, Some(Duration::from_millis(1500)));
        let TestCaseStatus::NonSuccess {
            kind,
            message,
            description,
            ..
        } = &case.status
        else {
            panic!("{:?}", case.status);
        };
        assert_eq!(*kind, NonSuccessKind::Failure);
        assert_eq!(message.as_deref(), Some(line.as_str()));
        assert_eq!(description.as_deref(), Some(safe(AWKWARD).as_str()));
        assert!(matches!(
            suite.test_cases[2].status,
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Error,
                ..
            }
        ));
    }

    #[test]
    fn no_suites_is_an_empty_document() {
        let xml = Junit::default().to_xml();
        let report = Report::deserialize_from_str(&xml).unwrap();
        assert!(report.test_suites.is_empty());
    }
}
