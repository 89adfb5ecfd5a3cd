import { MAX_UPLOAD_BYTES, UPLOAD_CONTENT_TYPES, type Upload } from '@loadline/contracts';
import { ApiError, sendBytes } from '../../api/client';

type UploadContentType = Upload['contentType'];

function isUploadType(type: string): type is UploadContentType {
  return UPLOAD_CONTENT_TYPES.some((allowed) => allowed === type);
}

function isUpload(value: unknown): value is Upload {
  return (
    typeof value === 'object' &&
    value !== null &&
    'id' in value &&
    'contentType' in value &&
    'size' in value &&
    typeof value.id === 'string' &&
    typeof value.contentType === 'string' &&
    isUploadType(value.contentType) &&
    typeof value.size === 'number'
  );
}

/** Why a file cannot be a proof before it is sent, or null when it may be. */
export function proofFileProblem(file: { type: string; size: number }): string | null {
  if (!isUploadType(file.type)) {
    return 'Choose a JPEG, PNG or WebP photo.';
  }
  if (file.size > MAX_UPLOAD_BYTES) {
    return `The photo is larger than ${MAX_UPLOAD_BYTES / (1024 * 1024)} MB.`;
  }
  if (file.size === 0) {
    return 'The photo is empty.';
  }
  return null;
}

/**
 * Sends a proof photo or signature as raw bytes to `POST /v1/uploads` with the
 * stored bearer token (the JSON client cannot send bytes) and resolves with
 * the stored upload; rejects with `ApiError` like the API client does.
 */
export async function uploadProof(file: Blob, signal?: AbortSignal): Promise<Upload> {
  const problem = proofFileProblem(file);
  if (problem !== null) {
    throw new ApiError(400, 'validation_failed', problem);
  }
  let parsed: unknown;
  try {
    parsed = await sendBytes('/v1/uploads', file, signal);
  } catch (error) {
    // A proxy in front may refuse a large body with its own page instead of the API's envelope.
    if (error instanceof ApiError && error.status === 413 && error.code === 'unknown_error') {
      throw new ApiError(413, 'unknown_error', 'The photo is too large to send.');
    }
    throw error;
  }
  if (!isUpload(parsed)) {
    throw new ApiError(201, 'unknown_error', 'The upload answer was not understood.');
  }
  return parsed;
}
