//! Putting the ring buffer's events back in time order before they are written.
//!
//! All CPUs write into one ring buffer, so records of different CPUs
//! interleave out of timestamp order. Those of one CPU arrive in order: a CPU
//! runs one thing at a time, and the eBPF programs write out a held enter
//! before anything else on that CPU. So the events wait in one queue per CPU,
//! and the oldest queue head goes out once no older event can still come:
//! when it is [`WINDOW_NS`] older than the newest event seen or than the
//! clock (a record reaches the ring within that of its time, but for a call
//! that runs that long on the CPU without blocking; the clock lets the last
//! events before a quiet spell out, for a view that follows the file), when
//! too many wait, or at the end. Each event is
//! moved twice, not sorted again on every batch. Out-of-order stragglers (the
//! recorder's own loss markers) are inserted in place.

use std::collections::VecDeque;

use format::Event;

/// Events this close to the newest one are held back to be sorted in.
const WINDOW_NS: u64 = 20_000_000;
/// Events held back at most: past this the oldest go out anyway, so that
/// memory stays bounded (a held event costs about 300 bytes with its
/// captures; 64K of them were a third of the recorder's peak memory on a
/// dd loop). At 3M events/s this still holds them 5 ms.
const MAX_HELD: usize = 16 << 10;
/// CPUs with a queue of their own; the kernel's CPU numbers are below this on
/// any machine systrace runs on, and a bad one only shares a queue.
const MAX_CPUS: usize = 4096;

#[derive(Default)]
pub struct Reorder {
    /// Per CPU, in time order.
    queues: Vec<VecDeque<Event>>,
    held: usize,
    newest: u64,
}

impl Reorder {
    pub fn push(&mut self, event: Event) {
        let cpu = (event.cpu as usize).min(MAX_CPUS - 1);
        if self.queues.len() <= cpu {
            self.queues.resize_with(cpu + 1, VecDeque::new);
        }
        self.newest = self.newest.max(event.ts);
        self.held += 1;
        let queue = &mut self.queues[cpu];
        if queue.back().is_some_and(|last| last.ts > event.ts) {
            let at = queue.partition_point(|e| e.ts <= event.ts);
            queue.insert(at, event);
        } else {
            queue.push_back(event);
        }
    }

    /// The oldest event held, if it may go out at monotonic time `now`
    /// (any, with `all`).
    pub fn pop_ready(&mut self, all: bool, now: u64) -> Option<Event> {
        let (cpu, ts) = self
            .queues
            .iter()
            .enumerate()
            .filter_map(|(cpu, q)| Some((cpu, q.front()?.ts)))
            .min_by_key(|&(_, ts)| ts)?;
        let settled = ts.saturating_add(WINDOW_NS) <= self.newest.max(now);
        if !(all || settled || self.held > MAX_HELD) {
            return None;
        }
        self.held -= 1;
        self.queues[cpu].pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use format::Body;

    fn event(cpu: u32, ts: u64) -> Event {
        Event {
            tid: 1,
            pid: 1,
            cpu,
            ts,
            body: Body::TaskExit { status: 0 },
        }
    }

    fn drain_at(reorder: &mut Reorder, all: bool, now: u64) -> Vec<u64> {
        std::iter::from_fn(|| reorder.pop_ready(all, now))
            .map(|e| e.ts)
            .collect()
    }

    fn drain(reorder: &mut Reorder, all: bool) -> Vec<u64> {
        drain_at(reorder, all, 0)
    }

    #[test]
    fn merges_cpus_in_time_order_and_holds_the_window_back() {
        let mut reorder = Reorder::default();
        for (cpu, ts) in [
            (0, 10),
            (1, 5),
            (0, 30),
            (1, 20),
            (1, 3),
            (2, WINDOW_NS + 25),
        ] {
            reorder.push(event(cpu, ts));
        }
        // Older than the newest by the window: out; the rest waits.
        assert_eq!(drain(&mut reorder, false), [3, 5, 10, 20]);
        reorder.push(event(0, 2 * WINDOW_NS));
        assert_eq!(drain(&mut reorder, false), [30]);
        assert_eq!(drain(&mut reorder, true), [WINDOW_NS + 25, 2 * WINDOW_NS]);
        assert!(reorder.pop_ready(true, 0).is_none());
    }

    #[test]
    fn the_clock_lets_the_last_events_out_of_a_quiet_spell() {
        let mut reorder = Reorder::default();
        reorder.push(event(0, 100));
        reorder.push(event(1, 200));
        // Nothing newer comes: each goes once the clock is past its window.
        assert!(drain_at(&mut reorder, false, 99 + WINDOW_NS).is_empty());
        assert_eq!(drain_at(&mut reorder, false, 150 + WINDOW_NS), [100]);
        assert_eq!(drain_at(&mut reorder, false, 200 + WINDOW_NS), [200]);
    }
}
