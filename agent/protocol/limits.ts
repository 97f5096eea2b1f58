// Protocol limits with no dependencies, so schemas (also a future browser renderer's) can import them.

/** BSD carp(4) cuts a passphrase at 19 bytes and ucarp refuses longer ones (docs/protocol.md §2.1). */
export const CARP_PASSPHRASE_MAX = 19;
