// OpenAI's `encoding_format: "base64"` for an embedding: the little-endian float32 bytes of the vector, base64.
// (Float32Array is little-endian on every platform Workers run on.)

export function base64Floats(vector: number[]): string {
  const bytes = new Uint8Array(new Float32Array(vector).buffer);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
