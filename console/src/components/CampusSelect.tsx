import { useQuery } from "@tanstack/react-query";
import { Select } from "antd";
import type { Campus } from "../../../api/campuses";
import { fetchAll } from "../lib/api";

/** The hospital's campuses (GET /v1/campuses), shared by every form that names one. */
export function useCampuses() {
  return useQuery({ queryKey: ["/v1/campuses"], queryFn: () => fetchAll<Campus>("/v1/campuses") });
}

/** A campus's name by its GLN, for a page that shows campuses it got as GLNs; the GLN until known. */
export function useCampusName(): (gln: string) => string {
  const campuses = useCampuses();
  return (gln) => campuses.data?.find((c) => c.gln === gln)?.name ?? gln;
}

/**
 * Picks one of the hospital's registered campuses by name, never a typed GLN. With
 * `wholeHospital`, a first option (value "") stands for the hospital as a whole.
 */
export function CampusSelect(props: {
  id: string;
  value: string | undefined;
  onChange: (gln: string) => void;
  wholeHospital?: string;
}) {
  const campuses = useCampuses();
  const options = (campuses.data ?? []).map((c) => ({ value: c.gln, label: `${c.name} (${c.gln})` }));
  return (
    <Select
      id={props.id}
      loading={campuses.isPending}
      value={props.value}
      onChange={props.onChange}
      options={
        props.wholeHospital === undefined ? options : [{ value: "", label: props.wholeHospital }, ...options]
      }
      style={{ minWidth: 260 }}
    />
  );
}
