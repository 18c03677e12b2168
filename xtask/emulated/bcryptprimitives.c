/*
 * TEST STAND-IN for a Windows system DLL. Never shipped, never in the connector archive.
 *
 * Windows 10 and later (and Server 2016 and later) have bcryptprimitives.dll with ProcessPrng,
 * which Rust's standard library calls for random numbers (hash map seeds). Wine 8.0, the Wine of
 * Debian 12, lacks that DLL, so the connector's library fails to load under it with "Library
 * bcryptprimitives.dll (which is needed by ...) not found". `cargo xtask emulated` builds this
 * file with zig and puts it only into its own Wine prefix (target/tools/wine-prefix), so the real
 * library can run under Wine; Wine 9 and later have their own ProcessPrng.
 *
 * ProcessPrng fills the buffer from the system's generator and, as documented, always succeeds;
 * here the generator is RtlGenRandom (advapi32's SystemFunction036), which Wine 8 has.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
