//! Writing Prometheus's text exposition format: a family's HELP and TYPE, then samples.

use std::fmt::Write;
use stepline_core::engine::metrics::histogram::HistogramSnapshot;

#[derive(Default)]
pub struct Exposition {
    out: String,
}

impl Exposition {
    /// Starts a metric family: `kind` is `counter`, `gauge` or `histogram`.
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.out.push_str(name);
        write_labels(&mut self.out, labels, None);
        let _ = writeln!(self.out, " {}", number(value));
    }

    /// A histogram's `_bucket` (with `le`), `_sum` and `_count` samples.
    pub fn histogram(&mut self, name: &str, labels: &[(&str, &str)], h: &HistogramSnapshot) {
        for (bound, n) in &h.buckets {
            let _ = write!(self.out, "{name}_bucket");
            write_labels(&mut self.out, labels, Some(&number(*bound)));
            let _ = writeln!(self.out, " {n}");
        }
        let _ = write!(self.out, "{name}_bucket");
        write_labels(&mut self.out, labels, Some("+Inf"));
        let _ = writeln!(self.out, " {}", h.count);
        self.sample(&format!("{name}_sum"), labels, h.sum);
        self.sample(&format!("{name}_count"), labels, h.count as f64);
    }

    pub fn finish(self) -> String {
        self.out
    }
}

fn number(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn write_labels(out: &mut String, labels: &[(&str, &str)], le: Option<&str>) {
    if labels.is_empty() && le.is_none() {
        return;
    }
    out.push('{');
    let mut first = true;
    for (k, v) in labels.iter().copied().chain(le.map(|le| ("le", le))) {
        if !first {
            out.push(',');
        }
        first = false;
        let _ = write!(out, "{k}=\"");
        for c in v.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_samples_and_histograms_in_the_text_format() {
        let mut e = Exposition::default();
        e.family("stepline_x_total", "counter", "Things.");
        e.sample("stepline_x_total", &[("machine", "a\"b\\c")], 3.0);
        let h = HistogramSnapshot { buckets: vec![(0.5, 1), (1.0, 2)], count: 3, sum: 2.25 };
        e.histogram("stepline_t_seconds", &[("activity", "w")], &h);
        assert_eq!(
            e.finish(),
            "# HELP stepline_x_total Things.\n# TYPE stepline_x_total counter\n\
             stepline_x_total{machine=\"a\\\"b\\\\c\"} 3\n\
             stepline_t_seconds_bucket{activity=\"w\",le=\"0.5\"} 1\n\
             stepline_t_seconds_bucket{activity=\"w\",le=\"1\"} 2\n\
             stepline_t_seconds_bucket{activity=\"w\",le=\"+Inf\"} 3\n\
             stepline_t_seconds_sum{activity=\"w\"} 2.25\n\
             stepline_t_seconds_count{activity=\"w\"} 3\n"
        );
    }
}
