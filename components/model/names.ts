/** Names gatelock derives from the model, kept in one place so every cloud agrees on them. */

export function defaultVariable(originName: string): string {
  return `${originName.toUpperCase().replace(/-/g, "_")}_SHARED_SECRET`;
}

/** Stack names may hold characters cloud resource names do not accept. */
export function stackSlug(stack: string): string {
  return (
    stack
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "stack"
  );
}
