//! How many connections a server may hold open: as many as fit under the
//! process's descriptor limit with room to spare for its own files, never
//! more than the server's own cap. Both servers (the local Vendor API and the
//! class server) refuse or evict beyond it instead of failing `accept`.

/// The connections that fit under the soft descriptor limit, keeping
/// `reserved` descriptors free, at least 16 and at most `max`.
pub fn connections_fitting(max: usize, reserved: u64) -> usize {
    let soft = soft_limit().unwrap_or(max as u64 + reserved);
    let fitting = soft.saturating_sub(reserved).max(16);
    usize::try_from(fitting).map_or(max, |n| n.min(max))
}

#[cfg(unix)]
fn soft_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit with a valid, initialized struct.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    Some(limit.rlim_cur)
}

#[cfg(not(unix))]
fn soft_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_limit_is_capped_and_never_below_sixteen() {
        let n = super::connections_fitting(100, 64);
        assert!((16..=100).contains(&n), "{n}");
        assert_eq!(super::connections_fitting(8, 64), 8);
    }
}
