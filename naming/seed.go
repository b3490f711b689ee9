package naming

// The names of seeded preview databases (issue 29). A module whose manifest says
// database.seed gets, on the ad-hoc tier's instance, one masked template database that the
// long-lived tier's seeding job keeps, and every ad-hoc environment creates the module's
// database from it. Environment names never start with "conveyor", so none of these is ever an
// environment's database or role.

// SeedTemplate is the masked template database of a seeded module: "conveyor_seed_<module>".
// A module name has no underscore, so no module's template is another's build (SeedBuild).
func SeedTemplate(module string) string { return ReservedSpace + "_seed_" + module }

// SeedBuild is the database a seeding job builds the next template in, before it is masked:
// no environment copies it, and the job drops it before each run.
func SeedBuild(module string) string { return SeedTemplate(module) + "_next" }

// SeedRetired is the template a seeding job has just replaced, for the moment between its
// rename and its drop.
func SeedRetired(module string) string { return SeedTemplate(module) + "_old" }

// SeedOwner is the role that owns what is inside the templates built from a long-lived
// scope's databases: "conveyor_seed_owner_<scope>". It owns no database itself, so that the
// ad-hoc setup's REASSIGN OWNED BY it, in a fresh copy, moves nothing but that copy's objects.
func SeedOwner(scope string) string { return ReservedSpace + "_seed_owner_" + scope }
