/**
 * Guided tours of the study's cases, as data. A tour sets the lab's state (a scenario file for
 * the case when one is bundled, else `baseline` with the policies and parameters that stand for
 * it), asks the student to predict before running, then points at the evidence.
 */
import type { PolicyKind } from '../sim/config/schema.ts';

export interface TourSetup {
  /** Bundled scenario names for the case, first found wins. */
  scenarios: string[];
  /** Policies and overrides on `baseline` when none of them is bundled. */
  policies: PolicyKind[];
  sets: Record<string, string>;
  /** Policies to compare when the case's own scenario is used. */
  withScenario?: PolicyKind[];
  years: number;
}

export interface TourStep {
  title: string;
  text: string;
  /** A question with choices, answered before the run; the answer is repeated with the evidence. */
  predict?: { question: string; options: string[] };
  /** Run the comparison when this step is reached (after the prediction). */
  run?: boolean;
  /** The section to look at: its id. */
  look?: string;
}

export interface Tour {
  id: string;
  title: string;
  setup: TourSetup;
  steps: TourStep[];
}

export const TOURS: Tour[] = [
  {
    id: 'sunniside',
    title: 'Sunniside: outputs or outcomes?',
    setup: {
      scenarios: ['sunniside', 'sunniside-real'],
      policies: ['place-based'],
      sets: { 'policy.performancePressure': '0.6', 'policy.mix.physical': '0.6', 'policy.mix.incentives': '0.3', 'policy.mix.programmes': '0.1' },
      withScenario: ['place-based'],
      years: 15,
    },
    steps: [
      {
        title: 'A partnership builds',
        text: 'Sunniside, once the commercial heart of Sunderland, became poor after the shipyards closed. From 2003 a partnership invested over £54m in a museum, a media centre, offices and homes. Here a place-based programme spends most of its budget on physical works and firm incentives inside a boundary, under pressure to show outputs.',
      },
      {
        title: 'Predict',
        text: 'The programme will create floorspace and jobs in the target.',
        predict: {
          question: 'What happens to unemployment among the people who lived there when it started?',
          options: ['It falls clearly', 'It barely moves', 'It rises'],
        },
        run: true,
      },
      {
        title: 'Outputs against outcomes',
        text: 'Compare the outputs (jobs created, floorspace, completion of targets) with the outcomes (the difference in poverty and unemployment against the run without the policy). In the real Sunniside, jobs reached 48% of target and unemployment stayed high: jobs created and unemployment are not tightly linked. The scorecard also shows who is out of work counting the sick, who do not look for work: in deprived areas they are most of the out of work, and new jobs do not reach them.',
        look: 'sec-scorecard',
      },
      {
        title: 'Who moved?',
        text: 'Look at churn: did poverty in the target change because residents got on, or because of who left and who came? And where did those who moved out go?',
        look: 'sec-churn',
      },
    ],
  },
  {
    id: 'new-deal',
    title: 'New Deal for Communities: better on how many?',
    setup: { scenarios: ['new-deal', 'ndc', 'new-deal-for-communities'], policies: ['place-based'], sets: {}, withScenario: ['place-based'], years: 12 },
    steps: [
      {
        title: 'Ten years, a fixed boundary',
        text: 'The New Deal for Communities (1998–2008) gave 39 deprived areas of about 4,000 households each around £50m over ten years, with boundaries drawn centrally to population quotas. Its national evaluation compared each area with similar deprived areas.',
      },
      {
        title: 'Predict',
        text: 'The lab evaluates the programme the same way: change in the target minus change in matched comparison areas, on 15 core indicators.',
        predict: { question: 'On how many of the 15 will the target do better?', options: ['Almost all', 'About half or a bit more', 'Few'] },
        run: true,
      },
      {
        title: 'The verdict',
        text: 'The real NDC areas did better on 21 of 34 indicators, 11 of them significantly — mostly environment and safety; worklessness barely moved. Which domains improved here? Raise "Seeds" to 3 or more to see which differences are significant.',
        look: 'sec-evaluation',
      },
    ],
  },
  {
    id: 'weston',
    title: 'Weston: a school as community hub',
    setup: { scenarios: ['weston'], policies: ['place-based', 'hub-based'], sets: {}, withScenario: ['place-based', 'hub-based'], years: 20 },
    steps: [
      {
        title: 'A soft boundary',
        text: "A social-housing foundation built a school and made it a community hub: adult education, family support, employers hiring its graduates, community activity — within the school's natural catchment rather than a drawn boundary. Here the hub runs beside a place-based programme with the same budget.",
      },
      {
        title: 'Predict',
        text: 'Both spend the same money for ten years.',
        predict: {
          question: 'Which lowers poverty more among the people who lived in the target when it started, wherever they live now?',
          options: ['place-based', 'hub-based', 'about the same'],
        },
        run: true,
      },
      {
        title: 'Follow the people',
        text: "Look at the original residents' poverty in the outcomes, then at the maps: the star is the hub school, the outline its catchment. The hub's friction (the school's own exam targets) and coverage (departments it can bring in) are parameters: try raising the friction.",
        look: 'sec-scorecard',
      },
    ],
  },
  {
    id: 'lasting-hub',
    title: 'A lasting hub: do the gains outlast the money?',
    setup: { scenarios: ['lasting-hub'], policies: ['hub-based'], sets: { 'policy.durationYears': '23', 'policy.budgetPerYear': '2173913' }, withScenario: ['hub-based'], years: 25 },
    steps: [
      {
        title: 'Ten years, or twenty-three?',
        text: "The study argues that poverty is structural and yields only to long-term work on core resources — education, health, employment — while programmes such as the New Deal for Communities ran for ten years. Here Weston's school hub gets the same £50m, spread over 23 years instead of ten: less than half the money a year, for more than twice as long.",
      },
      {
        title: 'Predict',
        text: 'The run lasts 25 years; the hub starts in year 2.',
        predict: {
          question: "By year 25, against the same city without the hub, is the hub's catchment less poor?",
          options: ['yes, clearly', 'a little, within the noise', 'no'],
        },
        run: true,
      },
      {
        title: 'What lasted',
        text: "Look at target poverty and the original residents in the outcomes. Then set the programme length to 10 and the budget per year to 5000000 (Weston as it ran) and run again: the same money spent in ten years. Over 10 seeds the lasting hub's catchment ends clearly less poor than without it (about 5 points on the default city) and the ten-year hub's not measurably so; the ten-year hub's skill gains fade once its money stops, as the adults it trained age and leave. Are the people it started with less poor? Who lives in the catchment has changed too — and with the ten-year hub some of its people are poorer, not richer: set 'Housing allowance over the means-test line' to 'withdrawn 65p a pound' and run it again. A pension raised by the skills the hub gave can lift a retired tenant just over the line, and the whole allowance stops there: a poverty trap.",
        look: 'sec-scorecard',
      },
      {
        title: 'Whom it reached',
        text: "Back to the lasting hub (programme length 23, budget per year 2173913). In the outcomes, compare \"children's attainment in the target\" — the children who live in the catchment at year 25 — with \"original residents' children's attainment\" — the children of the households it started with, wherever they live now. Over 10 seeds of a small city the catchment's children gain about 0.06 and the original residents' about 0.04, and the catchment's gain was still growing from year 12 while theirs fell back: by year 25 only about a fifth of the households of the start still live within the hub's reach. A soft boundary holds services in a place, not people. Is that a success for the people the programme was for?",
        look: 'sec-scorecard',
      },
    ],
  },
  {
    id: 'tabula-rasa',
    title: 'Tabula rasa: where do the cleared households go?',
    setup: { scenarios: ['tabula-rasa-1980s', 'tabula-rasa', 'clearance'], policies: ['tabula-rasa', 'micro-regeneration'], sets: {}, withScenario: ['tabula-rasa', 'micro-regeneration'], years: 15 },
    steps: [
      {
        title: 'Clearance',
        text: 'From the late 1960s poor inner-city neighbourhoods were demolished and redeveloped. Land values rose; the poor gained little, or were displaced. Micro-regeneration renovates instead of clearing.',
      },
      {
        title: 'Predict',
        text: 'The target is cleared and rebuilt over several years.',
        predict: { question: 'Where do most of the cleared households end up?', options: ['Back in the rebuilt target', 'In the ring next to it', 'Elsewhere in the city or outside it'] },
        run: true,
      },
      {
        title: 'Where they went',
        text: 'The table counts the households forced out of the target and where they went. Pick the layer "moved out of the target: destinations" on the maps, and follow a household from the target to see its moves and their reasons.',
        look: 'sec-displaced',
      },
    ],
  },
];
