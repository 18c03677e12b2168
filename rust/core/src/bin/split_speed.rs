//! `cargo xtask bench` (section `split`): how fast one core splits a list page into its
//! documents with their tracked properties, the work the query path does per page besides
//! receiving it. Reads the page from the file given as the only argument and prints one line
//! `RESULT {"bytes":…,"documents":…,"seconds":…,"gbPerSecond":…}` (the best of 5 runs of at least
//! 0.3 s each).

use std::time::{Duration, Instant};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: split_speed PAGE_FILE");
    let page = std::fs::read(&path).expect("the page file");
    let documents = connect_core::bench::split_page(&page)
        .expect("the page is a JSON array")
        .len();
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let started = Instant::now();
        let mut rounds = 0u32;
        while started.elapsed() < Duration::from_millis(300) {
            let split = connect_core::bench::split_page(std::hint::black_box(&page));
            std::hint::black_box(split.map(|d| d.len()).unwrap_or(0));
            rounds += 1;
        }
        best = best.min(started.elapsed().as_secs_f64() / f64::from(rounds));
    }
    println!(
        "RESULT {{\"bytes\":{},\"documents\":{documents},\"seconds\":{best:.6},\"gbPerSecond\":{:.3}}}",
        page.len(),
        page.len() as f64 / best / 1e9
    );
}
