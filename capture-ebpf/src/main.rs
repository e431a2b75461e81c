//! systrace's eBPF programs. Built for bpfel-unknown-none by `capture/build.rs`.
//!
//! - `sys_enter` / `sys_exit` (raw_syscalls tracepoints): a record per syscall of
//!   the traced processes, with the user memory the `SPECS` map says to copy.
//!   The record is assembled in a per-CPU scratch buffer (its size varies with
//!   the captures) and copied into the ring buffer in one `output`.
//!   What an exit needs from its enter (the arguments, copies to retry) is
//!   handed over in a per-CPU slot (`SLOT`); `sched_switch` moves it to the
//!   `PENDING` hash when the thread leaves the CPU mid-call.
//! - `sched_process_fork` / `_exec` / `_exit`, `signal_deliver` and (for
//!   signals the target ignores) `signal_generate` (raw tracepoints): process
//!   life. A fork of a traced process puts the child in the filter here, in the
//!   kernel, before the child can run.
//!
//! A record the ring buffer has no room for is counted for the thread that
//! lost it (`LOST`, with the time of its latest loss); the recorder turns new
//! counts into lost-event markers in that thread, where the gap is.
#![cfg_attr(target_arch = "bpf", no_std)]
#![cfg_attr(target_arch = "bpf", no_main)]

#[cfg(target_arch = "bpf")]
mod programs {
    use core::mem::offset_of;

    use aya_ebpf::{
        EbpfContext,
        bindings::{BPF_RB_AVAIL_DATA, BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP},
        cty::c_void,
        helpers::{
            bpf_get_current_comm, bpf_get_current_pid_tgid, bpf_get_current_task,
            bpf_get_smp_processor_id, bpf_ktime_get_ns,
            generated::{
                bpf_loop, bpf_probe_read_kernel, bpf_probe_read_kernel_str, bpf_probe_read_user,
                bpf_probe_read_user_str,
            },
        },
        macros::{map, raw_tracepoint},
        maps::{Array, HashMap, PerCpuArray, ProgramArray, RingBuf},
        programs::RawTracePointContext,
    };
    use capture_ebpf::{
        ARG_FD_INODES, ARGV_PER_STEP, CaptureHeader, EVENTS_BYTES, EXEC_ARGS_BYTES,
        EXEC_FILENAME_BYTES, EventKind, Exec, Fork, Header, LostCount, MAX_ARGV, MAX_DIRENTS,
        MAX_ENVP, MAX_IOVECS, MAX_LOSING, MAX_PENDING, MAX_RULES, MAX_SNAPLEN, MAX_SYSCALLS,
        MAX_TRACED_GROUPS, SCRATCH_BYTES, SIGINFO_BYTES, Signal, SysEnter, SysExit, SyscallSpec,
        TRACED_GROUP, TaskExit, TracedGroup, at, how, size, status,
    };

    #[map(name = "EVENTS")]
    static EVENTS: RingBuf = RingBuf::with_byte_size(EVENTS_BYTES, 0);
    #[map(name = "TRACED")]
    static TRACED: Array<TracedGroup> = Array::with_max_entries(MAX_TRACED_GROUPS, 0);
    #[map(name = "SPECS")]
    static SPECS: Array<SyscallSpec> = Array::with_max_entries(MAX_SYSCALLS, 0);
    /// Records lost per thread. Only the thread itself loses its records, on
    /// one CPU at a time, so its entry is counted without atomics; one hash for
    /// all CPUs (a per-CPU one cost a sixth of start-up to preallocate).
    /// Preallocated: an entry allocated on the loss path could fail in the
    /// very burst that loses records, and a loss must never go uncounted.
    #[map(name = "LOST")]
    static LOST: HashMap<u32, LostCount> = HashMap::with_max_entries(MAX_LOSING, 0);
    /// Arguments of syscalls in progress, for the captures at exit.
    /// Per thread, what its current syscall's exit needs. Entries are updated in
    /// place and removed when the thread ends: cheaper than insert + delete per call.
    /// Preallocated: `sched_switch` inserts with the run queue locked.
    #[map(name = "PENDING")]
    static PENDING: HashMap<u32, Pending> = HashMap::with_max_entries(MAX_PENDING, 0);

    /// The call in progress of the thread running on this CPU: where its
    /// enter leaves what its exit needs, and its enter record, held in the
    /// scratch buffer so that the exit writes both as one record (one ring
    /// buffer write per call, not two). Cheaper than a hash per call. If the
    /// thread is switched out in the call (see `sched_switch`), its enter
    /// record goes out on its own, as a call that blocks is seen while it
    /// blocks, and the rest moves to PENDING, where the exit finds it on
    /// whichever CPU it returns.
    #[map(name = "SLOT")]
    static SLOT: PerCpuArray<Slot> = PerCpuArray::with_max_entries(1, 0);

    #[derive(Clone, Copy)]
    struct Slot {
        tid: u32,
        tgid: u32,
        /// Whether `pending` waits for `tid`'s exit.
        open: u32,
        /// Bytes of `tid`'s enter record held at the start of the scratch
        /// buffer (0: none, or already written out).
        held: u32,
        /// Bytes this CPU wrote to the ring since it last looked how full it is.
        unchecked: u32,
        /// Whether the ring was WAKEUP_BYTES full when this CPU last looked.
        lagging: u32,
        pending: Pending,
    }

    /// What a syscall's exit needs from its enter.
    #[derive(Clone, Copy)]
    struct Pending {
        /// The syscall this is for (-1: none in progress).
        nr: i64,
        args: [u64; 6],
        /// Enter rules whose copy faulted, to run again at exit: a buffer the
        /// program has not touched yet may not be paged in at enter, and probes
        /// cannot fault pages in; by the exit the kernel has read it.
        retry: u32,
        _pad: u32,
    }
    #[map(name = "SCRATCH")]
    static SCRATCH: PerCpuArray<Scratch> = PerCpuArray::with_max_entries(1, 0);
    /// The capture programs, indexed by `how` (see `next_capture`).
    #[map(name = "CAPTURE")]
    static CAPTURE: ProgramArray = ProgramArray::with_max_entries(8, 0);

    /// This CPU's records in the making: an enter held for its exit (at 0),
    /// then the exit, so that a call that returns where it began is one
    /// record. Each of the two is at most SCRATCH_BYTES; every offset is
    /// masked to below twice that, and the buffer has room for a write of
    /// SCRATCH_BYTES more, so every write is in bounds whatever the verifier
    /// knows of the offset. Masking also makes the offsets of different paths
    /// look alike to the verifier, which keeps its work within limits.
    #[repr(C)]
    struct Scratch {
        job: Job,
        data: Buf,
    }
    // Records are written at multiples of their alignment from here (see
    // `write_at`); map values are 8-aligned.
    const _: () = assert!(offset_of!(Scratch, data) % 8 == 0);

    type Buf = [u8; 3 * SCRATCH_BYTES];
    /// The most an enter and its exit take together.
    const PAIR_BYTES: usize = 2 * SCRATCH_BYTES;
    const OFF_MASK: usize = PAIR_BYTES - 1;

    /// A record being assembled: the scratch buffer, the write offset, and how
    /// many captures it holds. (BPF functions take at most five arguments.)
    struct Out<'a> {
        buf: &'a mut Buf,
        off: usize,
        count: u32,
        /// Whether a copy of this rule faulted.
        faulted: bool,
        /// Captures start no later than this (the record's start plus
        /// [`LAST_CAPTURE_AT`]), so that every one fits.
        last: usize,
    }

    impl<'a> Out<'a> {
        /// The captures of a record of type `R` that starts at `base`.
        fn after<R>(buf: &'a mut Buf, base: usize) -> Self {
            Out {
                buf,
                off: base + size_of::<R>(),
                count: 0,
                faulted: false,
                last: base + LAST_CAPTURE_AT,
            }
        }
    }

    /// A syscall record being completed across tail calls: what the capture
    /// programs need, kept per CPU.
    struct Job {
        args: [u64; 6],
        ret: i64,
        nr: i64,
        /// Where the record starts in the scratch buffer (after the held
        /// enter, for an exit) and where its next capture goes.
        base: u32,
        off: u32,
        count: u32,
        /// Where the record keeps its capture count.
        count_at: u32,
        /// The rule to look at next.
        rule: u32,
        /// Bit set of the rules to run in this record.
        wanted: u32,
        /// Enter rules whose copy faulted (see [`Pending::retry`]).
        faulted: u32,
        /// at::ENTER or at::EXIT.
        when: u32,
        tid: u32,
        tgid: u32,
        /// A capture done in steps, one per run of its program (see
        /// `capture_iovec_step`, `capture_str_array_step`): the next step, and
        /// what the steps so far leave for the next (strings done, bytes
        /// left to show).
        step: u32,
        tally: u32,
        carry: u64,
    }

    // Globals set by the loader (see `capture_ebpf::globals`).
    #[unsafe(no_mangle)]
    static SNAPLEN: u32 = MAX_SNAPLEN;
    #[unsafe(no_mangle)]
    static TRACE_ALL: u32 = 0;
    #[unsafe(no_mangle)]
    static SELF_TGID: u32 = 0;
    #[unsafe(no_mangle)]
    static TASK_PID_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static TASK_TGID_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static TASK_EXIT_CODE_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static TASK_MM_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static MM_ARG_START_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static MM_ARG_END_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static BPRM_FILENAME_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static TASK_FILES_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static FILES_FDT_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static FDT_MAX_FDS_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static FDT_FD_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static FILE_INODE_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static INODE_INO_OFFSET: u32 = 0;
    #[unsafe(no_mangle)]
    static WAKEUP_BYTES: u64 = 1 << 20;

    fn global<T: Copy>(g: &T) -> T {
        // SAFETY: reading a global the loader may have rewritten: volatile, so the
        // compiler does not fold the default value in.
        unsafe { core::ptr::read_volatile(g) }
    }

    /// The syscall registers of `struct pt_regs`, from `REGS_START` on: one
    /// kernel read gets all six arguments and the syscall number.
    #[cfg(bpf_target_arch = "x86_64")]
    mod regs {
        pub const START: u64 = 56;
        /// r10, r9, r8, ax, cx, dx, si, di, orig_ax.
        pub type Window = [u64; 9];
        pub fn args(w: &Window) -> [u64; 6] {
            [w[7], w[6], w[5], w[0], w[2], w[1]]
        }
        pub fn nr(w: &Window) -> i64 {
            w[8] as i64
        }
    }

    #[cfg(bpf_target_arch = "aarch64")]
    mod regs {
        pub const START: u64 = 0;
        /// regs[0..31], sp, pc, pstate, orig_x0, syscallno (low 32 bits).
        pub type Window = [u64; 36];
        pub fn args(w: &Window) -> [u64; 6] {
            [w[34], w[1], w[2], w[3], w[4], w[5]]
        }
        pub fn nr(w: &Window) -> i64 {
            w[35] as i32 as i64
        }
    }

    fn read_regs(ptr: u64) -> Option<regs::Window> {
        // Not zeroed first: that is a memset call per syscall.
        let mut window = core::mem::MaybeUninit::<regs::Window>::uninit();
        // SAFETY: the helper fills the whole window or fails (then it is not read).
        unsafe {
            let r = bpf_probe_read_kernel(
                window.as_mut_ptr().cast::<c_void>(),
                size_of::<regs::Window>() as u32,
                (ptr + regs::START) as *const c_void,
            );
            (r == 0).then(|| window.assume_init())
        }
    }
    /// Room one capture may need in the scratch buffer: header + data.
    const CAPTURE_ROOM: usize = 8 + MAX_SNAPLEN as usize + 8;
    /// Captures start no later than this, so every one fits.
    const LAST_CAPTURE_AT: usize = SCRATCH_BYTES - CAPTURE_ROOM;

    /// (tid, tgid) of the current task, from one helper call.
    fn current_ids() -> (u32, u32) {
        let id = bpf_get_current_pid_tgid();
        (id as u32, (id >> 32) as u32)
    }

    fn is_traced(tgid: u32) -> bool {
        if global(&TRACE_ALL) != 0 {
            return tgid != global(&SELF_TGID);
        }
        // SAFETY: a plain read of a flag byte.
        traced_flag(tgid).is_some_and(|flag| unsafe { *flag } != 0)
    }

    /// The filter's flag byte for `tgid` (none past the map's pid range).
    fn traced_flag(tgid: u32) -> Option<*mut u8> {
        let group = TRACED.get_ptr_mut(tgid / TRACED_GROUP as u32)?;
        // SAFETY: the index is below TRACED_GROUP; the entry lives in the map.
        Some(unsafe { (*group).as_mut_ptr().add(tgid as usize % TRACED_GROUP) })
    }

    /// Puts `tgid` in the filter or takes it out. A byte store: forks of
    /// neighbouring tgids on other CPUs write other bytes of the entry.
    fn set_traced(tgid: u32, traced: bool) {
        if let Some(flag) = traced_flag(tgid) {
            // SAFETY: see `traced_flag`.
            unsafe { flag.write_volatile(u8::from(traced)) };
        }
    }

    fn header(kind: EventKind, tid: u32, tgid: u32) -> Header {
        Header {
            kind: kind as u32,
            tid,
            tgid,
            // SAFETY: BPF helpers without preconditions.
            cpu: unsafe { bpf_get_smp_processor_id() },
            ts: unsafe { bpf_ktime_get_ns() },
        }
    }

    /// Copies `len` bytes at `data` (a record of `events` events) into the
    /// ring buffer; counts them as lost when there is no room.
    fn emit(data: *const u8, len: usize, tid: u32, tgid: u32, events: u64) {
        let len = if len > PAIR_BYTES { PAIR_BYTES } else { len };
        let flags = wakeup_flags(len as u64);
        // SAFETY: `data` points at a scratch buffer of more than PAIR_BYTES or a
        // record of at least `len` bytes (callers pass their own size).
        let bytes = unsafe { core::slice::from_raw_parts(data, len) };
        if EVENTS.output::<[u8]>(bytes, flags).is_err() {
            lose(tid, tgid, events);
        }
    }

    /// Counts `events` events of `tid` as lost, with when.
    fn lose(tid: u32, tgid: u32, events: u64) {
        // SAFETY: a BPF helper without preconditions.
        let ts = unsafe { bpf_ktime_get_ns() };
        // SAFETY: a BPF helper without preconditions.
        let cpu = unsafe { bpf_get_smp_processor_id() };
        match LOST.get_ptr_mut(&tid) {
            // SAFETY: the entry of the thread running here: no other writer.
            Some(lost) => unsafe {
                (*lost).count += events;
                (*lost).last_ts = ts;
                (*lost).tgid = tgid;
                (*lost).cpu = cpu;
            },
            None => {
                let first = LostCount {
                    count: events,
                    last_ts: ts,
                    tgid,
                    cpu,
                };
                // A full map (MAX_LOSING threads losing at once) loses the count.
                let _ = LOST.insert(&tid, &first, 0);
            }
        }
    }

    /// Waking the reader per record costs more than the record (an
    /// inter-processor interrupt), and so would asking the ring each time how
    /// much waits: each CPU asks once per CHECK_EVERY bytes it wrote, and
    /// wakes the reader if WAKEUP_BYTES wait. The reader also polls on a
    /// short timer.
    fn wakeup_flags(len: u64) -> u64 {
        const CHECK_EVERY: u32 = 64 << 10;
        if let Some(slot) = SLOT.get_ptr_mut(0) {
            // SAFETY: see `hold`.
            let slot = unsafe { &mut *slot };
            slot.unchecked += len as u32;
            if slot.lagging == 0 && slot.unchecked < CHECK_EVERY {
                return BPF_RB_NO_WAKEUP as u64;
            }
            slot.unchecked = 0;
            // While the reader lags, every record wakes it: the wakeup
            // preempts this CPU's producer for the reader, which keeps the
            // ring from overflowing under many busy threads.
            let lagging = EVENTS.query(BPF_RB_AVAIL_DATA as u64) >= global(&WAKEUP_BYTES);
            slot.lagging = u32::from(lagging);
            return if lagging {
                BPF_RB_FORCE_WAKEUP as u64
            } else {
                BPF_RB_NO_WAKEUP as u64
            };
        }
        if EVENTS.query(BPF_RB_AVAIL_DATA as u64) >= global(&WAKEUP_BYTES) {
            BPF_RB_FORCE_WAKEUP as u64
        } else {
            BPF_RB_NO_WAKEUP as u64
        }
    }

    /// Writes a fixed-size record (process life) straight into the ring
    /// buffer, after the enter held on this CPU, which is older: each CPU's
    /// records reach the ring in time order (the recorder relies on it).
    fn emit_record<T: 'static>(record: T, tid: u32, tgid: u32) {
        if let Ok((buf, _)) = job_slots() {
            flush_held(buf);
        }
        match EVENTS.reserve::<T>(0) {
            Some(mut entry) => {
                entry.write(record);
                entry.submit(wakeup_flags(size_of::<T>() as u64));
            }
            None => lose(tid, tgid, 1),
        }
    }

    // Raw tracepoints: no record formatting by the kernel before the program runs.
    #[raw_tracepoint(tracepoint = "sys_enter")]
    pub fn sys_enter(ctx: RawTracePointContext) -> i32 {
        match try_sys_enter(&ctx) {
            Ok(r) | Err(r) => r,
        }
    }

    /// Builds the enter record at the start of the scratch buffer and holds it
    /// there for the exit (see `SLOT`).
    fn try_sys_enter(ctx: &RawTracePointContext) -> Result<i32, i32> {
        let (tid, tgid) = current_ids();
        if !is_traced(tgid) {
            return Ok(0);
        }
        let nr: i64 = ctx.arg(1);
        let args = regs::args(&read_regs(ctx.arg(0)).ok_or(1)?);
        let spec = spec(nr);
        let (buf, job) = job_slots()?;
        // An enter whose exit never came here (none is known to): out first.
        flush_held(buf);
        let record = SysEnter {
            header: header(EventKind::SysEnter, tid, tgid),
            nr,
            args,
            captures: 0,
            _pad: 0,
        };
        write_at(buf, 0, &record);
        let wanted = spec.map_or(0, |s| u32::from(s.enter_rules));
        // Fast paths, without a tail call: no copy at all, or one buffer.
        if wanted == 0 {
            hold(tid, tgid, nr, &args, 0, size_of::<SysEnter>());
            return Ok(0);
        }
        if let Some((arg, ptr, len)) = single_bytes_rule(spec, wanted, &args, 0) {
            let mut out = Out::after::<SysEnter>(buf, 0);
            capture_bytes(&mut out, arg, ptr, len);
            write_at(out.buf, offset_of!(SysEnter, captures), &out.count);
            let retry = if out.faulted { wanted } else { 0 };
            hold(tid, tgid, nr, &args, retry, out.off);
            return Ok(0);
        }
        *job = Job {
            args,
            ret: 0,
            nr,
            base: 0,
            off: size_of::<SysEnter>() as u32,
            count: 0,
            count_at: offset_of!(SysEnter, captures) as u32,
            rule: 0,
            wanted,
            faulted: 0,
            when: u32::from(at::ENTER),
            tid,
            tgid,
            step: 0,
            tally: 0,
            carry: 0,
        };
        Ok(next_capture(ctx, buf, job, spec))
    }

    #[raw_tracepoint(tracepoint = "sys_exit")]
    pub fn sys_exit(ctx: RawTracePointContext) -> i32 {
        match try_sys_exit(&ctx) {
            Ok(r) | Err(r) => r,
        }
    }

    /// Builds the exit record after the held enter, if there is one, and
    /// writes both out as one record.
    fn try_sys_exit(ctx: &RawTracePointContext) -> Result<i32, i32> {
        let (tid, tgid) = current_ids();
        if !is_traced(tgid) {
            return Ok(0);
        }
        let ret: i64 = ctx.arg(1);
        let (buf, job) = job_slots()?;
        let (pending, held) = match take_pending(tid) {
            Some((p, held)) => (Some(p), held),
            None => (None, 0),
        };
        let (nr, args, mut wanted) = match pending {
            Some(p) => (p.nr, p.args, p.retry),
            // Entered before recording began: only the registers tell the
            // call, and its arguments are unknown.
            None => (regs::nr(&read_regs(ctx.arg(0)).ok_or(1)?), [0; 6], 0),
        };
        let spec = spec(nr);
        // Out-buffers are only valid when the call succeeded.
        if let Some(spec) = spec
            && pending.is_some()
            && ret >= 0
        {
            wanted |= u32::from(spec.exit_rules);
        }
        let record = SysExit {
            header: header(EventKind::SysExit, tid, tgid),
            nr,
            ret,
            captures: 0,
            _pad: 0,
        };
        let base = held & OFF_MASK;
        write_at(buf, base, &record);
        let events = if held > 0 { 2 } else { 1 };
        // Fast paths, without a tail call: no copy at all, or one buffer.
        let end = if wanted == 0 {
            Some(base + size_of::<SysExit>())
        } else if let Some((arg, ptr, len)) = single_bytes_rule(spec, wanted, &args, ret) {
            let mut out = Out::after::<SysExit>(buf, base);
            capture_bytes(&mut out, arg, ptr, len);
            write_at(out.buf, base + offset_of!(SysExit, captures), &out.count);
            Some(out.off)
        } else {
            None
        };
        if let Some(end) = end {
            emit(buf.as_ptr(), end, tid, tgid, events);
            return Ok(0);
        }
        *job = Job {
            args,
            ret,
            nr,
            base: base as u32,
            off: (base + size_of::<SysExit>()) as u32,
            count: 0,
            count_at: (base + offset_of!(SysExit, captures)) as u32,
            rule: 0,
            wanted,
            faulted: 0,
            when: u32::from(at::EXIT),
            tid,
            tgid,
            step: 0,
            tally: 0,
            carry: 0,
        };
        Ok(next_capture(ctx, buf, job, spec))
    }

    /// Holds this thread's enter record (`len` bytes at the start of the
    /// scratch buffer) and what its exit needs, in this CPU's slot: the
    /// thread cannot leave the CPU while its program runs.
    fn hold(tid: u32, tgid: u32, nr: i64, args: &[u64; 6], retry: u32, len: usize) {
        if let Some(slot) = SLOT.get_ptr_mut(0) {
            // SAFETY: the per-CPU slot is ours while this program runs on this CPU.
            let slot = unsafe { &mut *slot };
            slot.tid = tid;
            slot.tgid = tgid;
            slot.open = 1;
            slot.held = len as u32;
            slot.pending = Pending {
                nr,
                args: *args,
                retry,
                _pad: 0,
            };
        }
    }

    /// Writes out the enter record held in this CPU's slot, if any, on its own.
    fn flush_held(buf: &Buf) {
        if let Some(slot) = SLOT.get_ptr_mut(0) {
            // SAFETY: see `hold`.
            let slot = unsafe { &mut *slot };
            if slot.held != 0 {
                emit(buf.as_ptr(), slot.held as usize, slot.tid, slot.tgid, 1);
                slot.held = 0;
            }
        }
    }

    /// What this thread's enter left for its exit, and how many bytes of its
    /// enter record wait at the start of the scratch buffer: in this CPU's
    /// slot, or in PENDING (with the record written out) if the thread was
    /// switched out during the call.
    fn take_pending(tid: u32) -> Option<(Pending, usize)> {
        if let Some(slot) = SLOT.get_ptr_mut(0) {
            // SAFETY: see `hold`.
            let slot = unsafe { &mut *slot };
            if slot.open != 0 && slot.tid == tid {
                slot.open = 0;
                let held = slot.held as usize;
                slot.held = 0;
                return Some((slot.pending, held));
            }
        }
        let kept = PENDING.get_ptr_mut(&tid)?;
        // SAFETY: this thread's entry: no one else writes it while it runs.
        let kept = unsafe { &mut *kept };
        if kept.nr == -1 {
            return None;
        }
        let pending = *kept;
        // Marked used rather than deleted: the thread's next blocking call
        // updates it in place.
        kept.nr = -1;
        Some((pending, 0))
    }

    /// A thread switched out in a syscall: its enter record goes out now (the
    /// call may block for long, or never return), and what its exit needs
    /// moves to PENDING, where the exit finds it on whichever CPU it returns.
    /// (An open slot always belongs to the task running on its CPU.)
    #[raw_tracepoint(tracepoint = "sched_switch")]
    pub fn sched_switch(_ctx: RawTracePointContext) -> u32 {
        let Some(slot) = SLOT.get_ptr_mut(0) else {
            return 0;
        };
        // SAFETY: see `hold`.
        let slot = unsafe { &mut *slot };
        if slot.open == 0 {
            return 0;
        }
        if let Ok((buf, _)) = job_slots() {
            flush_held(buf);
        }
        slot.open = 0;
        let pending = slot.pending;
        match PENDING.get_ptr_mut(&slot.tid) {
            // SAFETY: the thread's entry; it is not running.
            Some(kept) => unsafe { *kept = pending },
            // A full map only costs this call's exit captures.
            None => {
                let _ = PENDING.insert(&slot.tid, &pending, 0);
            }
        }
        0
    }

    /// The thread ends or becomes another program in its call: its held enter
    /// goes out before the record that says so, and the call is over
    /// (exit_group never returns; a successful execve's exit comes after).
    fn end_held_call(tid: u32, closes: bool) {
        let Ok((buf, _)) = job_slots() else {
            return;
        };
        flush_held(buf);
        if closes && let Some(slot) = SLOT.get_ptr_mut(0) {
            // SAFETY: see `hold`.
            let slot = unsafe { &mut *slot };
            if slot.tid == tid {
                slot.open = 0;
            }
        }
    }

    /// When the only copy wanted is one plain buffer (read, write, ...): its
    /// argument, address and size.
    #[inline(always)]
    fn single_bytes_rule(
        spec: Option<&SyscallSpec>,
        wanted: u32,
        args: &[u64; 6],
        ret: i64,
    ) -> Option<(u8, u64, u64)> {
        let spec = spec?;
        if wanted.count_ones() != 1 {
            return None;
        }
        let rule = spec.rule[(wanted.trailing_zeros() & 3) as usize];
        if rule.how != how::BYTES {
            return None;
        }
        let ptr = arg_at(args, rule.arg);
        (ptr != 0).then(|| (rule.arg, ptr, rule_len(&rule, args, ret)))
    }

    /// The size a rule copies, before the snapshot length caps it.
    fn rule_len(rule: &capture_ebpf::CaptureSpec, args: &[u64; 6], ret: i64) -> u64 {
        match rule.size_kind {
            size::FIXED => u64::from(rule.size),
            size::ARG => arg_at(args, rule.size_arg),
            size::RET => ret as u64,
            // Counts beyond this exceed any snapshot anyway (and avoid 128-bit math).
            size::ARG_TIMES => arg_at(args, rule.size_arg).min(1024) * u64::from(rule.size),
            _ => 0,
        }
    }

    fn spec(nr: i64) -> Option<&'static SyscallSpec> {
        if !(0..i64::from(MAX_SYSCALLS)).contains(&nr) {
            return None;
        }
        let spec = SPECS.get(nr as u32)?;
        (spec.rules > 0).then_some(spec)
    }

    /// This CPU's record buffer and capture job.
    fn job_slots() -> Result<(&'static mut Buf, &'static mut Job), i32> {
        let scratch = SCRATCH.get_ptr_mut(0).ok_or(1)?;
        // SAFETY: a per-CPU slot, ours while this program (and its tail calls) run.
        Ok(unsafe { (&mut (*scratch).data, &mut (*scratch).job) })
    }

    /// Moves to the next rule that copies at this point of the call: tail-calls
    /// the program for its kind of copy, or, when none is left, holds the
    /// enter record or writes the exit out.
    /// One program per kind keeps each small enough for the verifier.
    /// (It returns an int: the verifier allows tail calls only in such functions.)
    #[inline(always)]
    fn next_capture<C: EbpfContext>(
        ctx: &C,
        buf: &mut Buf,
        job: &mut Job,
        spec: Option<&SyscallSpec>,
    ) -> i32 {
        // The lowest wanted rule from `job.rule` on (the bits below it are done).
        let left = if job.rule < MAX_RULES as u32 {
            job.wanted >> job.rule << job.rule
        } else {
            0
        };
        if let Some(spec) = spec
            && left != 0
        {
            let next = left.trailing_zeros() & (MAX_RULES as u32 - 1);
            job.rule = next;
            let how = spec.rule[next as usize].how;
            // SAFETY: the ctx is this program's; on failure we fall through.
            unsafe { CAPTURE.tail_call(ctx, u32::from(how)) };
        }
        write_at(buf, job.count_at as usize, &job.count);
        if job.when == u32::from(at::ENTER) {
            hold(
                job.tid,
                job.tgid,
                job.nr,
                &job.args,
                job.faulted,
                job.off as usize,
            );
        } else {
            let events = if job.base > 0 { 2 } else { 1 };
            emit(buf.as_ptr(), job.off as usize, job.tid, job.tgid, events);
        }
        0
    }

    /// Runs one capture program's kind of copy on the current rule, then goes on.
    /// Inlined into each program with its `how`, so that each holds (and the
    /// verifier checks) only its own kind of copy.
    #[inline(always)]
    fn run_capture(ctx: &RawTracePointContext, how: u8) -> i32 {
        let Ok((buf, job)) = job_slots() else {
            return 0;
        };
        let spec = spec(job.nr);
        if let Some(spec) = spec
            && job.rule < MAX_RULES as u32
        {
            let rule = spec.rule[(job.rule & 3) as usize];
            let mut out = Out {
                buf,
                off: job.off as usize,
                count: job.count,
                faulted: false,
                last: job.base as usize + LAST_CAPTURE_AT,
            };
            let ptr = arg_at(&job.args, rule.arg);
            // Whether this capture continues in another run of this program.
            let mut more = false;
            // (An inode capture's argument is a pseudo one: it reads no pointer.)
            if (ptr != 0 || how == how::FD_INODES) && rule.how == how {
                let len = rule_len(&rule, &job.args, job.ret);
                match how {
                    how::STR => capture_str(&mut out, rule.arg, ptr),
                    how::BYTES => capture_bytes(&mut out, rule.arg, ptr, len),
                    how::STR_ARRAY => {
                        more = capture_str_array_step(&mut out, rule.arg, ptr, job);
                    }
                    how::COUNT_PTRS => capture_ptr_count(&mut out, rule.arg, ptr),
                    how::IOVECS => {
                        more = capture_iovec_step(&mut out, rule.arg, ptr, len, job);
                    }
                    how::COUNT_DIRENTS => count_dirents(&mut out, rule.arg, ptr, len),
                    how::FD_INODES => capture_fd_inodes(&mut out, rule.arg, ptr, job.ret),
                    _ => {}
                }
            }
            job.off = out.off as u32;
            job.count = out.count;
            if out.faulted && job.when == u32::from(at::ENTER) {
                job.faulted |= 1 << (job.rule & 3);
            }
            if more {
                // SAFETY: the ctx is this program's; on failure we fall through.
                unsafe { CAPTURE.tail_call(ctx, u32::from(how)) };
            }
            job.step = 0;
            job.tally = 0;
            job.carry = 0;
            job.rule += 1;
            next_capture(ctx, out.buf, job, Some(spec))
        } else {
            next_capture(ctx, buf, job, None)
        }
    }

    #[raw_tracepoint(tracepoint = "sys_enter")]
    pub fn capture_str_prog(ctx: RawTracePointContext) -> i32 {
        run_capture(&ctx, how::STR)
    }

    #[raw_tracepoint(tracepoint = "sys_enter")]
    pub fn capture_bytes_prog(ctx: RawTracePointContext) -> i32 {
        run_capture(&ctx, how::BYTES)
    }

    #[raw_tracepoint(tracepoint = "sys_enter")]
    pub fn capture_str_array_prog(ctx: RawTracePointContext) -> i32 {
        run_capture(&ctx, how::STR_ARRAY)
    }

    #[raw_tracepoint(tracepoint = "sys_enter")]
    pub fn capture_count_ptrs_prog(ctx: RawTracePointContext) -> i32 {
        run_capture(&ctx, how::COUNT_PTRS)
    }

    #[raw_tracepoint(tracepoint = "sys_enter")]
    pub fn capture_iovecs_prog(ctx: RawTracePointContext) -> i32 {
        run_capture(&ctx, how::IOVECS)
    }

    #[raw_tracepoint(tracepoint = "sys_enter")]
    pub fn capture_dirents_prog(ctx: RawTracePointContext) -> i32 {
        run_capture(&ctx, how::COUNT_DIRENTS)
    }

    #[raw_tracepoint(tracepoint = "sys_enter")]
    pub fn capture_fd_inodes_prog(ctx: RawTracePointContext) -> i32 {
        run_capture(&ctx, how::FD_INODES)
    }

    /// Copies `record` to `buf[off..]`. Every record and capture starts at a
    /// multiple of 8 (captures are padded to it), so the write is aligned: an
    /// unaligned one is a byte store per byte in eBPF, which made copying the
    /// records most of the programs' own time.
    fn write_at<T>(buf: &mut Buf, off: usize, record: &T) {
        const { assert!(size_of::<T>() <= SCRATCH_BYTES && align_of::<T>() <= 8) };
        let off = off & OFF_MASK & !(align_of::<T>() - 1);
        // SAFETY: off < 2 * SCRATCH_BYTES and T fits in SCRATCH_BYTES more;
        // the buffer is 8-aligned and off a multiple of T's alignment.
        unsafe {
            buf.as_mut_ptr()
                .add(off)
                .cast::<T>()
                .write(core::ptr::read(record))
        };
    }

    /// `args[n]`, or 0. One variable-offset stack read (allowed to a
    /// privileged program), not a branch per argument: each branch was a
    /// path more for the verifier to follow through the rest of the program.
    fn arg_at(args: &[u64; 6], n: u8) -> u64 {
        let i = usize::from(n);
        if i >= args.len() {
            return 0;
        }
        // SAFETY: i < 6. Volatile, so the compiler keeps the one indexed load
        // rather than turning it back into branches.
        unsafe { core::ptr::read_volatile(args.as_ptr().add(i)) }
    }

    fn snaplen() -> u64 {
        let n = u64::from(global(&SNAPLEN));
        if n > u64::from(MAX_SNAPLEN) {
            u64::from(MAX_SNAPLEN)
        } else {
            n
        }
    }

    /// Writes a capture header at `out.off` and moves past it and `len` data bytes.
    fn finish_capture(out: &mut Out, arg: u8, st: u8, len: u64) {
        let header = CaptureHeader {
            arg,
            status: st,
            _pad: 0,
            len: len as u32,
        };
        write_at(out.buf, out.off, &header);
        out.off += 8 + ((len as usize + 7) & !7);
        out.count += 1;
        out.faulted |= st == status::FAULT;
    }

    /// Copies a NUL-terminated user string (without its NUL).
    fn capture_str(out: &mut Out, arg: u8, ptr: u64) {
        if out.off > out.last {
            return;
        }
        let at = out.off & OFF_MASK;
        let room = snaplen() + 1;
        // SAFETY: at + 8 + room < 2 * SCRATCH_BYTES; the helper checks the user pointer.
        let n = unsafe {
            bpf_probe_read_user_str(
                out.buf.as_mut_ptr().add(at + 8).cast::<c_void>(),
                room as u32,
                ptr as *const c_void,
            )
        };
        let (st, len) = if n <= 0 {
            (status::FAULT, 0)
        } else if n as u64 >= room {
            (status::PARTIAL, room - 1)
        } else {
            (status::COMPLETE, n as u64 - 1)
        };
        finish_capture(out, arg, st, len);
    }

    /// Copies `len` bytes, at most the snapshot length.
    fn capture_bytes(out: &mut Out, arg: u8, ptr: u64, len: u64) {
        if out.off > out.last {
            return;
        }
        let at = out.off & OFF_MASK;
        // SAFETY: at + 8 + MAX_SNAPLEN < 2 * SCRATCH_BYTES.
        let (st, take) = unsafe { copy_user(out.buf.as_mut_ptr().add(at + 8), ptr, len) };
        finish_capture(out, arg, st, take);
    }

    /// Copies `len` bytes at user address `ptr` to `dst`, at most the snapshot
    /// length; returns the capture status and how many bytes were copied.
    ///
    /// # Safety
    /// `dst` must have room for MAX_SNAPLEN bytes.
    unsafe fn copy_user(dst: *mut u8, ptr: u64, len: u64) -> (u8, u64) {
        let snap = snaplen();
        let (st, mut take) = if len > snap {
            (status::PARTIAL, snap)
        } else {
            (status::COMPLETE, len)
        };
        // Keeps the verifier sure of the bound.
        take &= 0xff;
        if take > u64::from(MAX_SNAPLEN) {
            take = u64::from(MAX_SNAPLEN);
        }
        if take == 0 {
            return (st, 0);
        }
        // SAFETY: the caller guarantees the room; the helper checks the user pointer.
        let r =
            unsafe { bpf_probe_read_user(dst.cast::<c_void>(), take as u32, ptr as *const c_void) };
        if r != 0 {
            (status::FAULT, 0)
        } else {
            (st, take)
        }
    }

    fn read_user_u64(ptr: u64) -> Option<u64> {
        let mut value = 0u64;
        // SAFETY: reads 8 bytes into a local; the helper checks the user pointer.
        let r = unsafe {
            bpf_probe_read_user((&raw mut value).cast::<c_void>(), 8, ptr as *const c_void)
        };
        (r == 0).then_some(value)
    }

    /// argv: each string, then an empty partial capture if more were left
    /// out; ARGV_PER_STEP strings per run of the program, which tail-calls
    /// itself for the next (`tally`: the strings done). Returns whether a
    /// step is left. (Not a `bpf_loop` like the counts below: a string
    /// copy moves the output offset the verifier must know precisely, so it
    /// walked every turn of the loop again, 87K instructions.)
    fn capture_str_array_step(out: &mut Out, arg: u8, ptr: u64, job: &mut Job) -> bool {
        let first = job.tally;
        for k in 0..ARGV_PER_STEP {
            let Some(s) = read_user_u64(ptr + 8 * u64::from(first + k)) else {
                finish_capture(out, arg, status::FAULT, 0);
                return false;
            };
            if s == 0 || out.off > out.last {
                return false;
            }
            capture_str(out, arg, s);
        }
        let next = first + ARGV_PER_STEP;
        if next < MAX_ARGV {
            job.tally = next;
            return true;
        }
        if out.off <= out.last
            && read_user_u64(ptr + 8 * u64::from(MAX_ARGV)).is_some_and(|s| s != 0)
        {
            finish_capture(out, arg, status::PARTIAL, 0);
        }
        false
    }

    /// envp: only how many pointers precede the NULL, as a u32. The walk is
    /// a `bpf_loop`, whose body the verifier checks once rather than once
    /// per turn.
    fn capture_ptr_count(out: &mut Out, arg: u8, ptr: u64) {
        if out.off > out.last {
            return;
        }
        let mut walk = PtrWalk {
            ptr,
            n: 0,
            st: status::PARTIAL,
        };
        // SAFETY: the callback only reads `walk` through the pointer it is given.
        unsafe {
            bpf_loop(
                MAX_ENVP,
                count_ptr as *mut c_void,
                (&raw mut walk).cast::<c_void>(),
                0,
            )
        };
        write_at(out.buf, out.off + 8, &walk.n);
        finish_capture(out, arg, walk.st, 4);
    }

    /// A pointer array being counted up to its NULL.
    struct PtrWalk {
        ptr: u64,
        n: u32,
        st: u8,
    }

    /// One turn of `capture_ptr_count`'s loop: 1 stops it.
    extern "C" fn count_ptr(_turn: u64, walk: *mut c_void) -> i64 {
        // SAFETY: bpf_loop passes the PtrWalk it was given.
        let walk = unsafe { &mut *walk.cast::<PtrWalk>() };
        match read_user_u64(walk.ptr + 8 * u64::from(walk.n)) {
            Some(0) => walk.st = status::COMPLETE,
            Some(_) => {
                walk.n += 1;
                return 0;
            }
            None => walk.st = status::FAULT,
        }
        1
    }

    /// getdents64: counts the records in `len` bytes by their d_reclen (at
    /// most MAX_DIRENTS), in a `bpf_loop` (see `capture_str_array`).
    fn count_dirents(out: &mut Out, arg: u8, ptr: u64, len: u64) {
        if out.off > out.last {
            return;
        }
        let mut walk = DirentWalk {
            ptr,
            len,
            at: 0,
            n: 0,
            st: status::PARTIAL,
        };
        // SAFETY: the callback only reads `walk` through the pointer it is given.
        unsafe {
            bpf_loop(
                MAX_DIRENTS,
                count_dirent as *mut c_void,
                (&raw mut walk).cast::<c_void>(),
                0,
            )
        };
        write_at(out.buf, out.off + 8, &walk.n);
        finish_capture(out, arg, walk.st, 4);
    }

    /// Directory records being counted: `at` bytes walked, `n` records.
    struct DirentWalk {
        ptr: u64,
        len: u64,
        at: u64,
        n: u32,
        st: u8,
    }

    /// One turn of `count_dirents`'s loop: one record. 1 stops it.
    extern "C" fn count_dirent(_turn: u64, walk: *mut c_void) -> i64 {
        // SAFETY: bpf_loop passes the DirentWalk it was given.
        let walk = unsafe { &mut *walk.cast::<DirentWalk>() };
        if walk.at >= walk.len {
            walk.st = status::COMPLETE;
            return 1;
        }
        let mut reclen = 0u16;
        // SAFETY: reads 2 bytes into a local; the helper checks the user pointer.
        let r = unsafe {
            bpf_probe_read_user(
                (&raw mut reclen).cast::<c_void>(),
                2,
                (walk.ptr + walk.at + 16) as *const c_void,
            )
        };
        if r != 0 || reclen == 0 {
            walk.st = status::FAULT;
            return 1;
        }
        walk.at += u64::from(reclen);
        walk.n += 1;
        0
    }

    /// The inode numbers behind the descriptors the call returned: its result
    /// (`arg` is ARG_FD_INODES), or the two ints it wrote at `ptr` (pipe,
    /// socketpair).
    fn capture_fd_inodes(out: &mut Out, arg: u8, ptr: u64, ret: i64) {
        if out.off > out.last || ret < 0 {
            return;
        }
        let (first, second) = if arg == ARG_FD_INODES {
            (ret, -1)
        } else {
            let Some(pair) = read_user_u64(ptr) else {
                return finish_capture(out, ARG_FD_INODES, status::FAULT, 0);
            };
            (
                i64::from(pair as u32 as i32),
                i64::from((pair >> 32) as u32 as i32),
            )
        };
        let mut len = 0;
        for fd in [first, second] {
            if fd < 0 {
                break;
            }
            write_at(out.buf, out.off + 8 + len, &fd_inode(fd as u64));
            len += 8;
        }
        finish_capture(out, ARG_FD_INODES, status::COMPLETE, len as u64);
    }

    /// The inode number behind descriptor `fd` of the current task (0 when
    /// the chain of kernel pointers does not lead to one).
    fn fd_inode(fd: u64) -> u64 {
        // SAFETY: a helper without preconditions; the pointer is only read through helpers.
        let task = unsafe { bpf_get_current_task() };
        let files: u64 = read_kernel(task, global(&TASK_FILES_OFFSET));
        let fdt: u64 = read_kernel(files, global(&FILES_FDT_OFFSET));
        let max_fds: u32 = read_kernel(fdt, global(&FDT_MAX_FDS_OFFSET));
        if fdt == 0 || fd >= u64::from(max_fds) {
            return 0;
        }
        let fds: u64 = read_kernel(fdt, global(&FDT_FD_OFFSET));
        let file: u64 = read_kernel(fds + 8 * fd, 0);
        let inode: u64 = read_kernel(file, global(&FILE_INODE_OFFSET));
        read_kernel(inode, global(&INODE_INO_OFFSET))
    }

    /// readv/writev, one step per run of the program: step 0 copies the
    /// iovec array (up to MAX_IOVECS), step k the data of iovec k-1, cut at
    /// what the call moved. The program tail-calls itself for the next step,
    /// so the verifier checks one step instead of a loop of them (most of
    /// start-up went there). Returns whether a step is left.
    fn capture_iovec_step(out: &mut Out, arg: u8, ptr: u64, iovcnt: u64, job: &mut Job) -> bool {
        let n = if iovcnt > u64::from(MAX_IOVECS) {
            u64::from(MAX_IOVECS)
        } else {
            iovcnt
        };
        let step = u64::from(job.step);
        if step == 0 {
            capture_bytes(out, arg, ptr, n * 16);
            // carry: the bytes the call moved that are still to be shown.
            job.carry = if job.when == u32::from(at::EXIT) {
                job.ret as u64
            } else {
                u64::MAX
            };
        } else {
            let i = step - 1;
            let (Some(base), Some(len)) =
                (read_user_u64(ptr + 16 * i), read_user_u64(ptr + 16 * i + 8))
            else {
                return false;
            };
            let len = if len > job.carry { job.carry } else { len };
            job.carry -= len;
            capture_bytes(out, arg, base, len);
        }
        job.step += 1;
        step < n && job.carry != 0
    }

    fn read_kernel<T: Default + Copy>(ptr: u64, offset: u32) -> T {
        let mut value = T::default();
        // SAFETY: reads into a local; the helper checks the kernel pointer.
        unsafe {
            bpf_probe_read_kernel(
                (&raw mut value).cast::<c_void>(),
                size_of::<T>() as u32,
                (ptr + u64::from(offset)) as *const c_void,
            )
        };
        value
    }

    #[raw_tracepoint(tracepoint = "sched_process_fork")]
    pub fn sched_process_fork(ctx: RawTracePointContext) -> u32 {
        let (tid, tgid) = current_ids();
        if !is_traced(tgid) {
            return 0;
        }
        let child: u64 = ctx.arg(1);
        let record = Fork {
            header: header(EventKind::Fork, tid, tgid),
            child_tid: read_kernel(child, global(&TASK_PID_OFFSET)),
            child_tgid: read_kernel(child, global(&TASK_TGID_OFFSET)),
        };
        if record.child_tgid != tgid && global(&TRACE_ALL) == 0 {
            // Follow the child before it can run: it is not scheduled yet.
            set_traced(record.child_tgid, true);
        }
        emit_record(record, tid, tgid);
        0
    }

    #[raw_tracepoint(tracepoint = "sched_process_exec")]
    pub fn sched_process_exec(ctx: RawTracePointContext) -> u32 {
        let (tid, tgid) = current_ids();
        if !is_traced(tgid) {
            return 0;
        }
        let task: u64 = ctx.arg(0);
        let old_tid: i32 = ctx.arg(1);
        let bprm: u64 = ctx.arg(2);
        let filename: u64 = read_kernel(bprm, global(&BPRM_FILENAME_OFFSET));
        // The execve's enter goes first, and the scratch buffer is free for this record.
        end_held_call(tid, false);
        let Ok((buf, _)) = job_slots() else {
            return 0;
        };
        // The record is too big for the BPF stack: build it in the scratch buffer.
        // SAFETY: Exec fits in the scratch buffer (checked at compile time).
        let record = unsafe { &mut *buf.as_mut_ptr().cast::<Exec>() };
        record.header = header(EventKind::Exec, tid, tgid);
        record.old_tid = old_tid as u32;
        record._pad = 0;
        let mm: u64 = read_kernel(task, global(&TASK_MM_OFFSET));
        let start: u64 = read_kernel(mm, global(&MM_ARG_START_OFFSET));
        let end: u64 = read_kernel(mm, global(&MM_ARG_END_OFFSET));
        let len = end.saturating_sub(start);
        record.args_cut = u32::from(len > EXEC_ARGS_BYTES as u64);
        let len = if len > EXEC_ARGS_BYTES as u64 {
            EXEC_ARGS_BYTES as u64
        } else {
            len
        };
        // SAFETY: reads at most the array's size; the helper checks the user pointer.
        let r = unsafe {
            bpf_probe_read_user(
                record.args.as_mut_ptr().cast::<c_void>(),
                (len & 0x7ff) as u32,
                start as *const c_void,
            )
        };
        record.args_len = if r == 0 { len as u32 } else { 0 };
        record.comm = bpf_get_current_comm().unwrap_or_default();
        // SAFETY: reads a kernel string into the record's array.
        unsafe {
            bpf_probe_read_kernel_str(
                record.filename.as_mut_ptr().cast::<c_void>(),
                EXEC_FILENAME_BYTES as u32,
                filename as *const c_void,
            )
        };
        emit(
            (record as *const Exec).cast(),
            size_of::<Exec>(),
            tid,
            tgid,
            1,
        );
        0
    }

    const _: () = assert!(size_of::<Exec>() <= SCRATCH_BYTES);

    #[raw_tracepoint(tracepoint = "sched_process_exit")]
    pub fn sched_process_exit(ctx: RawTracePointContext) -> u32 {
        let (tid, tgid) = current_ids();
        if !is_traced(tgid) {
            return 0;
        }
        let task: u64 = ctx.arg(0);
        let group_dead: u64 = ctx.arg(1);
        let record = TaskExit {
            header: header(EventKind::TaskExit, tid, tgid),
            exit_code: read_kernel(task, global(&TASK_EXIT_CODE_OFFSET)),
            group_dead: (group_dead & 0xff) as u32,
        };
        let _ = PENDING.remove(&tid);
        end_held_call(tid, true);
        if record.group_dead != 0 && global(&TRACE_ALL) == 0 {
            set_traced(tgid, false);
        }
        emit_record(record, tid, tgid);
        0
    }

    #[raw_tracepoint(tracepoint = "signal_deliver")]
    pub fn signal_deliver(ctx: RawTracePointContext) -> u32 {
        let (tid, tgid) = current_ids();
        if !is_traced(tgid) {
            return 0;
        }
        let action: u64 = ctx.arg(2);
        let record = signal_record(
            tid,
            tgid,
            ctx.arg(0),
            ctx.arg(1),
            read_kernel(action, 0),
            read_kernel(action, 8),
        );
        emit_record(record, tid, tgid);
        0
    }

    /// A signal the target ignores is never delivered, so signal_deliver never
    /// sees it; strace (through ptrace) still shows it. Record it where it is
    /// generated, on the target's timeline.
    #[raw_tracepoint(tracepoint = "signal_generate")]
    pub fn signal_generate(ctx: RawTracePointContext) -> u32 {
        const TRACE_SIGNAL_IGNORED: i32 = 1;
        let result: i32 = ctx.arg(4);
        if result != TRACE_SIGNAL_IGNORED {
            return 0;
        }
        let task: u64 = ctx.arg(2);
        let tid: u32 = read_kernel(task, global(&TASK_PID_OFFSET));
        let tgid: u32 = read_kernel(task, global(&TASK_TGID_OFFSET));
        if !is_traced(tgid) {
            return 0;
        }
        // SIG_DFL: the default action of an ignored signal is to ignore it.
        let record = signal_record(tid, tgid, ctx.arg(0), ctx.arg(1), 0, 0);
        emit_record(record, tid, tgid);
        0
    }

    /// A Signal record, with the kernel's siginfo when `info` points at one
    /// (small values mean "no info" or "from the kernel").
    fn signal_record(
        tid: u32,
        tgid: u32,
        signo: i32,
        info: u64,
        sa_handler: u64,
        sa_flags: u64,
    ) -> Signal {
        let mut record = Signal {
            header: header(EventKind::Signal, tid, tgid),
            signo,
            errno: 0,
            code: 0,
            info_len: 0,
            sa_handler,
            sa_flags,
            info: [0; SIGINFO_BYTES],
        };
        if info > 4096 {
            // SAFETY: reads into the record's array; the helper checks the pointer.
            let r = unsafe {
                bpf_probe_read_kernel(
                    record.info.as_mut_ptr().cast::<c_void>(),
                    SIGINFO_BYTES as u32,
                    info as *const c_void,
                )
            };
            if r == 0 {
                record.info_len = SIGINFO_BYTES as u32;
                record.errno = i32::from_ne_bytes([
                    record.info[4],
                    record.info[5],
                    record.info[6],
                    record.info[7],
                ]);
                record.code = i32::from_ne_bytes([
                    record.info[8],
                    record.info[9],
                    record.info[10],
                    record.info[11],
                ]);
            }
        }
        record
    }

    #[panic_handler]
    fn panic(_info: &core::panic::PanicInfo) -> ! {
        // SAFETY: the verifier rejects any program with a reachable panic.
        unsafe { core::hint::unreachable_unchecked() }
    }
}

#[cfg(target_arch = "bpf")]
#[unsafe(link_section = "license")]
#[unsafe(no_mangle)]
static LICENSE: [u8; 4] = *b"GPL\0";

#[cfg(not(target_arch = "bpf"))]
fn main() {}
