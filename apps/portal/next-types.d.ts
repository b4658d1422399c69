// Next.js's ambient types, referenced here so `tsc --noEmit` works before a build has generated
// next-env.d.ts (which the build script removes again: it is generated, unformatted and not ours).
/// <reference types="next" />
/// <reference types="next/image-types/global" />
