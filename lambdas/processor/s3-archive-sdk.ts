/**
 * The two parts of the S3 SDK the archive uses, for `require` where they are needed. A `require` of
 * `@aws-sdk/client-s3` itself would make esbuild keep the package's whole namespace (the
 * aggregated `S3` class, every command's schema: ~55 KB more for each cold start to parse); this
 * module's static import lets it keep only these, and its `require` still leaves them unevaluated
 * in a processor with the archive off.
 */
export { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
