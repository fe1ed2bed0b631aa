// What S3 authorizes for the calls the fake models (authorization.ts): bucket operations on the bucket's ARN, object
// operations on the object's (S3's ARNs name neither region nor account), several under another action's name
// (HeadBucket is s3:ListBucket, GetBucketEncryption s3:GetEncryptionConfiguration, GetPublicAccessBlock
// s3:GetBucketPublicAccessBlock). A conditional write with If-Match is also checked against s3:GetObject, and a
// GetObject of a missing key is answered 404 only for a caller allowed s3:ListBucket, 403 otherwise ("Amazon S3
// actions", "How to prevent object overwrites with conditional writes", GetObject's "Permissions").
import { type Authorize, on, type Where } from "./authorization.js";

const S3 = (action: string) => `s3:${action}`;
const bucket = (i: { Bucket: string }) => `arn:aws:s3:::${i.Bucket}`;
const object = (i: { Bucket: string; Key: string }) => `${bucket(i)}/${i.Key}`;
const onBucket =
  (action: string): Authorize =>
  (i) => [on(S3(action), bucket(i))];
const missing = (i: { Bucket: string; Key: string }, at: Where) => !at.fake.s3.current(i.Bucket, i.Key);

export const S3_AUTHORIZATION: Record<string, Authorize> = {
  CreateBucket: onBucket("CreateBucket"),
  HeadBucket: onBucket("ListBucket"),
  GetBucketVersioning: onBucket("GetBucketVersioning"),
  PutBucketVersioning: onBucket("PutBucketVersioning"),
  GetBucketEncryption: onBucket("GetEncryptionConfiguration"),
  PutBucketEncryption: onBucket("PutEncryptionConfiguration"),
  GetPublicAccessBlock: onBucket("GetBucketPublicAccessBlock"),
  PutPublicAccessBlock: onBucket("PutBucketPublicAccessBlock"),
  GetBucketPolicy: onBucket("GetBucketPolicy"),
  PutBucketPolicy: onBucket("PutBucketPolicy"),
  GetBucketTagging: onBucket("GetBucketTagging"),
  PutBucketTagging: onBucket("PutBucketTagging"),
  GetObject: (i, at) => [on(S3("GetObject"), object(i)), ...(missing(i, at) ? [on(S3("ListBucket"), bucket(i))] : [])],
  PutObject: (i) => [
    on(S3("PutObject"), object(i)),
    ...(i.IfMatch !== undefined ? [on(S3("GetObject"), object(i))] : []),
  ],
  DeleteObject: (i) => [on(S3("DeleteObject"), object(i))],
};
