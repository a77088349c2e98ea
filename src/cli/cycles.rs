//! CPU cycles of this process and its threads from the kernel's hardware counter, where readable.

/// A running count of CPU cycles (Linux `perf_event_open`), or `None` where the counter cannot
/// be opened: not Linux, no hardware counters (many virtual machines), or forbidden by
/// `perf_event_paranoid`.
pub(crate) struct Cycles {
    #[cfg(target_os = "linux")]
    fd: std::os::fd::OwnedFd,
}

#[cfg(target_os = "linux")]
mod linux {
    /// The leading fields of the kernel's `struct perf_event_attr`, zero-padded to its size in
    /// recent kernels (the kernel reads `size` and treats the rest as zero).
    #[repr(C)]
    pub(super) struct PerfEventAttr {
        pub kind: u32,
        pub size: u32,
        pub config: u64,
        pub rest: [u64; 14],
    }

    pub(super) const PERF_TYPE_HARDWARE: u32 = 0;
    /// `read_format` (the third u64 after `config`): the time the counter was enabled and ran,
    /// so a counter shared with others (multiplexed) can be scaled up to the whole time.
    pub(super) const READ_FORMAT_INDEX: usize = 2;
    pub(super) const FORMAT_TOTAL_TIME_ENABLED: u64 = 1 << 0;
    pub(super) const FORMAT_TOTAL_TIME_RUNNING: u64 = 1 << 1;
    pub(super) const PERF_FLAG_FD_CLOEXEC: libc::c_ulong = 1 << 3;
    pub(super) const PERF_COUNT_HW_CPU_CYCLES: u64 = 0;
    /// Flag bits after `config`, `sample_period`, `sample_type` and `read_format`: the fifth
    /// u64 holds `disabled` (bit 0), `inherit` (bit 1) and `exclude_kernel` (bit 5).
    pub(super) const FLAGS_INDEX: usize = 3;
    pub(super) const DISABLED: u64 = 1;
    pub(super) const INHERIT: u64 = 1 << 1;
    pub(super) const EXCLUDE_KERNEL: u64 = 1 << 5;
    /// `PERF_EVENT_IOC_ENABLE`, `_DISABLE` and `_RESET` (`_IO('$', 0..3)`).
    pub(super) const IOC_ENABLE: u64 = 0x2400;
    pub(super) const IOC_DISABLE: u64 = 0x2401;
    pub(super) const IOC_RESET: u64 = 0x2403;
}

impl Cycles {
    /// Starts counting the cycles of this process and the threads it starts from now on.
    #[cfg(target_os = "linux")]
    pub(crate) fn start() -> Option<Cycles> {
        use linux::*;
        use std::os::fd::FromRawFd;
        let mut attr = PerfEventAttr {
            kind: PERF_TYPE_HARDWARE,
            size: std::mem::size_of::<PerfEventAttr>() as u32,
            config: PERF_COUNT_HW_CPU_CYCLES,
            rest: [0; 14],
        };
        attr.rest[FLAGS_INDEX] = DISABLED | INHERIT | EXCLUDE_KERNEL;
        attr.rest[READ_FORMAT_INDEX] = FORMAT_TOTAL_TIME_ENABLED | FORMAT_TOTAL_TIME_RUNNING;
        let (pid, cpu, group): (libc::pid_t, libc::c_int, libc::c_int) = (0, -1, -1);
        // SAFETY: a valid attribute struct of the size it declares; this process, any cpu, no
        // group, close on exec. The returned descriptor is owned below.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_perf_event_open,
                &attr as *const PerfEventAttr,
                pid,
                cpu,
                group,
                PERF_FLAG_FD_CLOEXEC,
            ) as libc::c_int
        };
        if fd < 0 {
            return None;
        }
        // SAFETY: `fd` was just opened and is owned by nobody else.
        let cycles = Cycles { fd: unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) } };
        (cycles.ioctl(IOC_RESET) && cycles.ioctl(IOC_ENABLE)).then_some(cycles)
    }

    #[cfg(not(target_os = "linux"))]
    pub(crate) fn start() -> Option<Cycles> {
        None
    }

    #[cfg(target_os = "linux")]
    fn ioctl(&self, request: u64) -> bool {
        use std::os::fd::AsRawFd;
        // SAFETY: an ioctl without argument on a perf event descriptor we own.
        unsafe { libc::ioctl(self.fd.as_raw_fd(), request as _, 0) == 0 }
    }

    /// Stops counting and returns the cycles counted, scaled up to the whole time if the
    /// counter ran only part of it (`None` if it could not be read or never ran).
    #[cfg(target_os = "linux")]
    pub(crate) fn stop(self) -> Option<u64> {
        use std::io::Read;
        if !self.ioctl(linux::IOC_DISABLE) {
            return None;
        }
        let mut bytes = [0u8; 24];
        std::fs::File::from(self.fd).read_exact(&mut bytes).ok()?;
        let word = |k: usize| u64::from_ne_bytes(bytes[8 * k..8 * k + 8].try_into().expect("8 bytes"));
        let (count, enabled, running) = (word(0), word(1), word(2));
        (count > 0 && running > 0).then(|| (count as f64 * enabled as f64 / running as f64) as u64)
    }

    #[cfg(not(target_os = "linux"))]
    pub(crate) fn stop(self) -> Option<u64> {
        None
    }
}
