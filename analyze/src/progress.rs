//! A progress bar for long reads of a trace.

use std::{
    io::IsTerminal as _,
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs `work` with a progress bar on stderr, shown once it has run for a
/// second and only on a terminal; `work` ticks it once per chunk of `total`.
pub fn with_progress<T>(total: u64, work: impl FnOnce(&(dyn Fn() + Sync)) -> T) -> T {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} chunks, {eta} left") {
        bar.set_style(style);
    }
    let start = Instant::now();
    let shown = AtomicBool::new(false);
    let terminal = std::io::stderr().is_terminal();
    let tick = || {
        bar.inc(1);
        if terminal
            && start.elapsed() > Duration::from_secs(1)
            && !shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    };
    let result = work(&tick);
    bar.finish_and_clear();
    result
}
