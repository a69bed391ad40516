//! The allocator. A build makes millions of small allocations (Markdown
//! events, template values, page strings) across rayon's threads; glibc
//! malloc was about a quarter of the site build's CPU time, so cairn uses
//! mimalloc (bench/PROFILE.md).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h, v3; the crate does not
/// export it). Checked by the test below against its default (options.c).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// For a one-shot command (`build`, `check`): keep freed memory for reuse
/// instead of handing it back to the system after a second. Each page handed
/// back is zeroed again by the kernel when it is next used, which was the
/// largest single cost of a 10,000-session build. `serve` runs for hours
/// and keeps the default.
pub fn keep_freed_memory() {
    // SAFETY: sets a process-wide integer option; mimalloc reads it when it
    // considers purging, and any value is valid (-1 means never).
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_is_the_option_we_think() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads an option.
        let v = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        assert_eq!(v, 1000, "mimalloc's option numbering changed");
    }
}
