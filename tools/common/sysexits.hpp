// Exit codes of sendmail(1) and gm-postdrop(8), as sysexits(3) defines them
// and Postfix's sendmail uses them: scripts and cron test for these.
#pragma once

namespace gm::tools {

inline constexpr int kExOk = 0;
inline constexpr int kExUsage = 64;        // bad command line, no recipients
inline constexpr int kExDataErr = 65;      // bad message: too big, header line too long
inline constexpr int kExNoInput = 66;      // input ended early
inline constexpr int kExUnavailable = 69;  // a helper program is missing
inline constexpr int kExSoftware = 70;     // internal error
inline constexpr int kExOsErr = 71;        // fork, pipe and the like failed
inline constexpr int kExIoErr = 74;        // reading or writing failed
inline constexpr int kExTempFail = 75;     // the queue could not take it now: try again
inline constexpr int kExNoPerm = 77;       // not allowed
inline constexpr int kExConfig = 78;       // gm.conf unreadable or invalid

}  // namespace gm::tools
