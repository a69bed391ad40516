//! The allocator. A build makes millions of small allocations (Markdown
//! events, template values, page strings) across rayon's threads; glibc
//! malloc was about a quarter of the site build's CPU time, so cairn uses
//! mimalloc (bench/PROFILE.md).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` and `mi_option_allow_thp`
/// (mimalloc.h, v3; the crate does not export them). Checked by the test
/// below against their defaults (options.c).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

/// For a one-shot command (`build`, `check`): keep freed memory for reuse
/// instead of handing it back to the system after a second, and take memory
/// in ordinary pages rather than transparent huge pages. The kernel zeroes
/// every page on first use; that was the largest single cost of a
/// 10,000-session build, and with huge pages it grew with the machine's
/// uptime (compaction, splitting). `serve` runs for hours and keeps the
/// defaults.
pub fn tune_for_one_shot() {
    // SAFETY: sets process-wide integer options; mimalloc reads them when
    // it purges or maps memory, and these values are valid (-1: never).
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, -1);
        libmimalloc_sys::mi_option_set(ALLOW_THP, 0);
    }
    // mimalloc applies ALLOW_THP when it starts, before main; this stops
    // huge pages for memory it already asked for too.
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with integer arguments; it only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_is_the_option_we_think() {
        if std::env::vars_os().any(|(k, _)| k.to_string_lossy().starts_with("MIMALLOC_")) {
            return;
        }
        // SAFETY: reads options.
        let (delay, thp) = unsafe {
            (
                libmimalloc_sys::mi_option_get(super::PURGE_DELAY),
                libmimalloc_sys::mi_option_get(super::ALLOW_THP),
            )
        };
        assert_eq!(
            (delay, thp),
            (1000, 1),
            "mimalloc's option numbering changed"
        );
    }
}
