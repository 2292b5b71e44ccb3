/*
 * For `release.py check` only, never shipped: Rust's standard library draws its randomness
 * from ProcessPrng in bcryptprimitives.dll (Windows 10 and later), which Debian's wine 8.0 does
 * not provide. This stand-in answers it from RtlGenRandom (advapi32's SystemFunction036), which
 * wine serves from the host's /dev/urandom. It sits next to the unpacked .exe while the check
 * runs under wine.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
