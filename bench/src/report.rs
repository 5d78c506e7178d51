//! Figures and their words, shared by the modes: percentiles of sorted samples, counts
//! with their nouns, and the bare-bus baseline's report (the same for NATS and AMQP).

use crate::args::Args;
use serde_json::json;

/// The sample at quantile `q` (0 to 1) of `sorted`, or the default (zero) when there are none.
pub fn quantile<T: Copy + Default>(sorted: &[T], q: f64) -> T {
    sorted.get(((sorted.len() as f64 - 1.0) * q) as usize).copied().unwrap_or_default()
}

/// Sorts latencies in milliseconds for [`quantile`].
pub fn sort_ms(samples: &mut [f64]) {
    samples.sort_by(|x, y| x.total_cmp(y));
}

/// `1 execution`, `2 executions`: a count with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Prints a bare-bus baseline: round trips per second and publish-to-collected latency.
pub fn baseline(bus: &str, label: &str, mut lat: Vec<f64>, secs: f64, a: &Args) {
    sort_ms(&mut lat);
    let p = |q: f64| quantile(&lat, q);
    let rps = lat.len() as f64 / secs;
    if a.json {
        println!(
            "{}",
            json!({"bus": bus, "baseline": true, "round_trips": lat.len(), "workers": a.workers, "seconds": secs,
                   "round_trips_per_s": rps, "latency_ms_p50": p(0.5), "latency_ms_p99": p(0.99)})
        );
    } else {
        println!("{} bare {label} round trips (no engine), {} workers, in {secs:.2}s", lat.len(), a.workers);
        println!("{rps:.0} round trips/s; publish to result collected: p50 {:.2} ms, p99 {:.2} ms", p(0.5), p(0.99));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_pick_the_sample_below_and_none_is_zero() {
        let mut v = vec![5.0, 1.0, 3.0, 2.0, 4.0];
        sort_ms(&mut v);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.99), 4.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert_eq!(quantile::<f64>(&[], 0.5), 0.0);
        assert_eq!(quantile::<i64>(&[7], 0.99), 7);
    }

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "client", "clients"), "1 client");
        assert_eq!(count(64, "client", "clients"), "64 clients");
    }
}
