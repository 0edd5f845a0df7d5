import { useEffect, useState } from "preact/hooks";
import { api, call } from "../api/client";

const names = new Map<string, Promise<string>>();

/** A member's display name, fetched once per id for this tab. */
export function nameOf(id: string): Promise<string> {
  let name = names.get(id);
  if (!name) {
    name = call(api().GET("/users/{id}", { params: { path: { id } } })).then(
      (user) => user.name,
      () => "a member",
    );
    names.set(id, name);
  }
  return name;
}

/** The name, once known (the id's first characters until then). */
export function useName(id: string): string {
  const [name, setName] = useState("…");
  useEffect(() => {
    let current = true;
    void nameOf(id).then((n) => current && setName(n));
    return () => {
      current = false;
    };
  }, [id]);
  return name;
}
