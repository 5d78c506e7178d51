//! The results as JUnit XML, the format CI systems read: a `testsuite` per spec, a
//! `testcase` per case, a `failure` with what was not as expected, an `error` for a spec
//! that could not run.

use super::spec_run::SpecRun;

fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => " ".to_string(),
            c => c.to_string(),
        })
        .collect()
}

pub fn render(runs: &[SpecRun]) -> String {
    let total: usize = runs.iter().map(|r| r.cases.len().max(usize::from(r.error.is_some()))).sum();
    let failures: usize = runs.iter().map(|r| r.cases.iter().filter(|(c, _)| !c.passed()).count()).sum();
    let errors = runs.iter().filter(|r| r.error.is_some()).count();
    let time: f64 = runs.iter().flat_map(|r| r.cases.iter().map(|(_, ms)| ms / 1000.0)).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"stepline test\" tests=\"{total}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{time:.6}\">\n"
    ));
    for r in runs {
        let name = escape(&r.name);
        let file = escape(&r.file.display().to_string());
        let fails = r.cases.iter().filter(|(c, _)| !c.passed()).count();
        let time: f64 = r.cases.iter().map(|(_, ms)| ms / 1000.0).sum();
        match &r.error {
            Some(e) => {
                out.push_str(&format!(
                    "  <testsuite name=\"{name}\" file=\"{file}\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"0\">\n"
                ));
                out.push_str(&format!(
                    "    <testcase name=\"(spec)\" classname=\"{name}\" time=\"0\">\n      <error message=\"{}\">{}</error>\n    </testcase>\n",
                    escape(e.lines().next().unwrap_or("")),
                    escape(e)
                ));
            }
            None => {
                out.push_str(&format!(
                    "  <testsuite name=\"{name}\" file=\"{file}\" tests=\"{}\" failures=\"{fails}\" errors=\"0\" time=\"{time:.6}\">\n",
                    r.cases.len()
                ));
                for (c, ms) in &r.cases {
                    let head = format!(
                        "    <testcase name=\"{}\" classname=\"{name}\" time=\"{:.6}\"",
                        escape(&c.name),
                        ms / 1000.0
                    );
                    if c.passed() {
                        out.push_str(&format!("{head}/>\n"));
                    } else {
                        let all = c.failures.join("\n");
                        out.push_str(&format!(
                            "{head}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                            escape(&c.failures[0].split_whitespace().collect::<Vec<_>>().join(" ")),
                            escape(&all)
                        ));
                    }
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
