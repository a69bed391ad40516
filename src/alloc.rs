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
/// instead of handing it back to the system after a second (each page
/// handed back is zeroed again by the kernel when it is next used, the
/// largest single cost in the 10,000-session profile), and no huge pages
/// for the site (see [`huge_pages`]). `serve` runs for hours and keeps
/// mimalloc's defaults.
pub fn tune_for_one_shot() {
    // SAFETY: sets a process-wide integer option; mimalloc reads it when it
    // purges, and -1 (never) is a valid value.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
    huge_pages(false);
}

/// Whether new memory may come in transparent huge pages. The site build
/// touches memory in many small pieces: without huge pages its page zeroing
/// is steady (with them, sys time varied from 0.8 to 2.3 s between identical
/// 10,000-session builds). Typst's layout is faster with them, so the build
/// turns them back on for the PDFs.
pub fn huge_pages(on: bool) {
    // SAFETY: sets a process-wide integer option (0 or 1 are valid).
    unsafe { libmimalloc_sys::mi_option_set(ALLOW_THP, i64::from(on) as _) }
    // mimalloc applies ALLOW_THP to memory it maps from now on; this flag
    // also covers memory it already has.
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with integer arguments; it only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, libc::c_ulong::from(!on), 0, 0, 0);
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
