//! systrace's eBPF programs: raw syscall enter/exit of the traced processes into
//! one ring buffer. Built for bpfel-unknown-none by `capture/build.rs`.
#![cfg_attr(target_arch = "bpf", no_std)]
#![cfg_attr(target_arch = "bpf", no_main)]

#[cfg(target_arch = "bpf")]
mod programs {
    use aya_ebpf::{
        EbpfContext,
        helpers::{bpf_get_smp_processor_id, bpf_ktime_get_ns},
        macros::{map, tracepoint},
        maps::{HashMap, PerCpuArray, RingBuf},
        programs::TracePointContext,
    };
    use capture_ebpf::{EVENTS_BYTES, EventKind, Header, MAX_TRACED, SysEnter, SysExit};

    #[map(name = "EVENTS")]
    static EVENTS: RingBuf = RingBuf::with_byte_size(EVENTS_BYTES, 0);

    #[map(name = "LOST")]
    static LOST: PerCpuArray<u64> = PerCpuArray::with_max_entries(1, 0);

    #[map(name = "TRACED")]
    static TRACED: HashMap<u32, u8> = HashMap::with_max_entries(MAX_TRACED, 0);

    // Offsets in the raw_syscalls tracepoint records (tracefs `format` files; stable ABI).
    const ID_OFFSET: usize = 8;
    const ARGS_OFFSET: usize = 16;
    const RET_OFFSET: usize = 16;

    fn traced_header(ctx: &TracePointContext, kind: EventKind) -> Option<Header> {
        let tgid = ctx.tgid();
        // SAFETY: a plain lookup; the value is not kept.
        unsafe { TRACED.get(&tgid) }?;
        Some(Header {
            kind: kind as u32,
            tid: ctx.pid(),
            tgid,
            // SAFETY: BPF helpers without preconditions.
            cpu: unsafe { bpf_get_smp_processor_id() },
            ts: unsafe { bpf_ktime_get_ns() },
        })
    }

    #[tracepoint(category = "raw_syscalls", name = "sys_enter")]
    pub fn sys_enter(ctx: TracePointContext) -> u32 {
        match try_sys_enter(&ctx) {
            Ok(r) | Err(r) => r,
        }
    }

    fn try_sys_enter(ctx: &TracePointContext) -> Result<u32, u32> {
        let Some(header) = traced_header(ctx, EventKind::SysEnter) else {
            return Ok(0);
        };
        // SAFETY: offsets come from the tracepoint's format.
        let nr: i64 = unsafe { ctx.read_at(ID_OFFSET) }.map_err(|_| 1u32)?;
        let args: [u64; 6] = unsafe { ctx.read_at(ARGS_OFFSET) }.map_err(|_| 1u32)?;
        output(SysEnter { header, nr, args })
    }

    #[tracepoint(category = "raw_syscalls", name = "sys_exit")]
    pub fn sys_exit(ctx: TracePointContext) -> u32 {
        match try_sys_exit(&ctx) {
            Ok(r) | Err(r) => r,
        }
    }

    fn try_sys_exit(ctx: &TracePointContext) -> Result<u32, u32> {
        let Some(header) = traced_header(ctx, EventKind::SysExit) else {
            return Ok(0);
        };
        // SAFETY: offsets come from the tracepoint's format.
        let nr: i64 = unsafe { ctx.read_at(ID_OFFSET) }.map_err(|_| 1u32)?;
        let ret: i64 = unsafe { ctx.read_at(RET_OFFSET) }.map_err(|_| 1u32)?;
        output(SysExit { header, nr, ret })
    }

    /// Copies `record` into the ring buffer, or counts it as lost when full.
    fn output<T: 'static>(record: T) -> Result<u32, u32> {
        if EVENTS.output::<T>(record, 0).is_err()
            && let Some(lost) = LOST.get_ptr_mut(0)
        {
            // SAFETY: per-CPU slot, and this program is not re-entered on a CPU.
            unsafe { *lost += 1 };
        }
        Ok(0)
    }

    #[panic_handler]
    fn panic(_info: &core::panic::PanicInfo) -> ! {
        loop {}
    }
}

#[cfg(target_arch = "bpf")]
#[unsafe(link_section = "license")]
#[unsafe(no_mangle)]
static LICENSE: [u8; 4] = *b"GPL\0";

#[cfg(not(target_arch = "bpf"))]
fn main() {}
